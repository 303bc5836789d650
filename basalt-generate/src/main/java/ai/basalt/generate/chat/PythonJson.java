package ai.basalt.generate.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Collection;
import java.util.Map;

/**
 * The {@code tojson} filter as transformers defines it: Python's {@code json.dumps(value, ensure_ascii=False)},
 * whose separators are {@code ", "} and {@code ": "} (jinjava's own filter writes compact JSON). Tool
 * definitions reach the prompt through it, so its bytes matter.
 */
final class PythonJson implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        StringBuilder out = new StringBuilder();
        write(var, out);
        return out.toString();
    }

    static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Integer _, Long _, Short _, Byte _ -> out.append(value);
            // Python writes floats with repr (2.0, 0.5); exponents differ (1e-05 vs 1.0E-5), which tools never use.
            case Float f -> out.append(Double.toString(f.doubleValue()));
            case Double d -> out.append(Double.toString(d));
            case Number n -> out.append(n);
            case Map<?, ?> map -> {
                out.append('{');
                String sep = "";
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(sep);
                    string(String.valueOf(e.getKey()), out);
                    out.append(": ");
                    write(e.getValue(), out);
                    sep = ", ";
                }
                out.append('}');
            }
            case Collection<?> list -> {
                out.append('[');
                String sep = "";
                for (Object item : list) {
                    out.append(sep);
                    write(item, out);
                    sep = ", ";
                }
                out.append(']');
            }
            default -> string(value.toString(), out);
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append("\\u%04x".formatted((int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
