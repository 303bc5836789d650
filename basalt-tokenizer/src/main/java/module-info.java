/** Tokenizers: text to token ids and back. */
module ai.basalt.tokenizer {
    requires transitive ai.basalt.format;
    requires com.google.protobuf;
    exports ai.basalt.tokenizer;
}
