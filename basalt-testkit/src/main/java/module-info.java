/** Test support shared by the tests of every Basalt module. */
module ai.basalt.testkit {
    requires org.junit.jupiter.api;
    exports ai.basalt.testkit;
}
