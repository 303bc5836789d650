/** Training: tokenized data shards, the training loop, checkpoints and export. */
package ai.basalt.train;
