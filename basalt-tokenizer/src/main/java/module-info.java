/** Tokenizers: text to token ids and back, and training them. */
module ai.basalt.tokenizer {
    requires transitive ai.basalt.format;
    requires com.google.protobuf;
    requires com.fasterxml.jackson.databind;
    exports ai.basalt.tokenizer;
    exports ai.basalt.tokenizer.training;
}
