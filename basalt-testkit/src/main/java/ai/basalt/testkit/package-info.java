/**
 * Test support: locating the external conformance data (real models, tokenizer vectors) that tests
 * read in place, and deciding whether its absence skips or fails a test.
 */
package ai.basalt.testkit;
