package ai.basalt.generate.constrain;

import static ai.basalt.generate.constrain.Grammar.Builder.of;
import static ai.basalt.generate.constrain.Grammar.Builder.seq;

/**
 * JSON's lexical rules (RFC 8259) as grammar rules over UTF-8 bytes, built once per grammar and shared by every
 * place that needs them. Two deliberate limits keep a sampling model from running on forever inside one token
 * of JSON: a run of whitespace holds at most {@code maxWhitespace} bytes, and numbers have at most 16 digits
 * before the point, 16 after it and 3 in the exponent (llama.cpp's json-schema-to-grammar limits numbers the
 * same way).
 */
final class JsonRules {
    static final int INTEGRAL_DIGITS = 16;
    static final int FRACTION_DIGITS = 16;
    static final int EXPONENT_DIGITS = 3;

    private final Grammar.Builder b;
    /** Optional whitespace: 0 to maxWhitespace bytes of space, tab, newline, carriage return. */
    final int ws;
    /** One character inside a string: a plain UTF-8 character or an escape. */
    final int character;
    final int string;
    final int number;
    final int integer;
    final int bool;
    final int nul;
    /** Any JSON value, objects and arrays nested to any depth. */
    final int value;
    final int object;
    final int array;

    JsonRules(Grammar.Builder b, int maxWhitespace) {
        this.b = b;
        this.ws = b.repeat(of(b.anyOf(" \t\n\r")), 0, maxWhitespace);
        this.character = character();
        this.string = string(0, -1);
        int digit = b.bytes('0', '9');
        int integral = b.rule(b.literal("0"),
                seq(of(b.bytes('1', '9')), of(b.repeat(of(digit), 0, INTEGRAL_DIGITS - 1))));
        int minus = b.rule(new int[0], b.literal("-"));
        this.integer = b.rule(of(minus, integral));
        int fraction = b.rule(new int[0], seq(b.literal("."), of(b.repeat(of(digit), 1, FRACTION_DIGITS))));
        int exponent = b.rule(new int[0],
                of(b.anyOf("eE"), b.rule(new int[0], of(b.anyOf("+-"))), b.repeat(of(digit), 1, EXPONENT_DIGITS)));
        this.number = b.rule(of(minus, integral, fraction, exponent));
        this.bool = b.rule(b.literal("true"), b.literal("false"));
        this.nul = b.rule(b.literal("null"));

        int valueRule = b.declare();
        int member = b.rule(seq(of(string, ws), b.literal(":"), of(ws, Grammar.Builder.ref(valueRule), ws)));
        this.object = b.rule(seq(b.literal("{"), of(ws, b.separated(of(member), seq(b.literal(","), of(ws)), 0, -1)),
                b.literal("}")));
        int item = Grammar.Builder.ref(valueRule);
        this.array = b.rule(seq(b.literal("["), of(ws, b.separated(of(item, ws), seq(b.literal(","), of(ws)), 0, -1)),
                b.literal("]")));
        b.define(valueRule, java.util.List.of(of(object), of(array), of(string), of(number), of(bool), of(nul)));
        this.value = Grammar.Builder.ref(valueRule);
    }

    /** A string of {@code min} to {@code max} characters ({@code max < 0}: any number), counted as code points. */
    int string(int min, int max) {
        return b.rule(seq(b.literal("\""), of(b.repeat(of(character), min, max)), b.literal("\"")));
    }

    /**
     * A character of a JSON string as well-formed UTF-8 (RFC 3629's table: no overlong forms, no surrogates, nothing
     * past U+10FFFF), except {@code "}, {@code \} and controls, or an escape. {@code \}{@code u} escapes of surrogates
     * are left out, so that every character counts one towards minLength and maxLength; such characters can still be
     * written as raw UTF-8.
     */
    private int character() {
        int cont = b.bytes(0x80, 0xBF);
        int hex = b.bytes('0', '9', 'a', 'f', 'A', 'F');
        int escape = b.rule(of(b.anyOf("\"\\/bfnrt")),
                of(b.exactly('u'), b.bytes('0', '9', 'a', 'c', 'A', 'C', 'e', 'f', 'E', 'F'), hex, hex, hex),
                of(b.exactly('u'), b.anyOf("dD"), b.bytes('0', '7'), hex, hex));
        return b.rule(
                of(b.bytes(0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F)),
                of(b.exactly('\\'), escape),
                of(b.bytes(0xC2, 0xDF), cont),
                of(b.exactly(0xE0), b.bytes(0xA0, 0xBF), cont),
                of(b.bytes(0xE1, 0xEC, 0xEE, 0xEF), cont, cont),
                of(b.exactly(0xED), b.bytes(0x80, 0x9F), cont),
                of(b.exactly(0xF0), b.bytes(0x90, 0xBF), cont, cont),
                of(b.bytes(0xF1, 0xF3), cont, cont, cont),
                of(b.exactly(0xF4), b.bytes(0x80, 0x8F), cont, cont));
    }
}
