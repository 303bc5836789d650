/** Test support shared by the tests of every Basalt module, and the llama.cpp peer of the benchmarks. */
module ai.basalt.testkit {
    requires org.junit.jupiter.api;
    requires llama; // de.kherud:llama, an automatic module: llama.cpp's bundled native library
    exports ai.basalt.testkit;
    exports ai.basalt.testkit.llamacpp;
}
