/** The {@code basalt} command line. */
module ai.basalt.cli {
    requires ai.basalt.generate;
    requires ai.basalt.server;
    requires ai.basalt.train;
    requires me.tongfei.progressbar;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    opens ai.basalt.cli to info.picocli, com.fasterxml.jackson.databind;
}
