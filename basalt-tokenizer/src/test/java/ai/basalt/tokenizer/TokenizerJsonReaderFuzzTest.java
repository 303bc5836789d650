package ai.basalt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken {@code tokenizer.json} files, made by seeded mutations of valid ones: the reader either reads them or throws
 * a {@link TokenizerFormatException} whose message is one line, starts with the file and then names the JSON path
 * of the field at fault (or the line and column of bad JSON). Anything else (another exception, a hang, running out
 * of memory) fails. The timeout guards against hangs; it is no speed measurement.
 */
@Timeout(300)
class TokenizerJsonReaderFuzzTest {
    /**
     * After the file: a JSON path ({@code model.merges[12]: }, {@code model.vocab['a']: }) or a whole-file problem
     * (Jackson gives no line and column for a number too long).
     */
    private static final Pattern PLACE = Pattern.compile(
            "(not valid JSON( at line \\d+, column \\d+)?: |the file is empty|expected an object, found"
                    + "|[a-z_]+(\\.[a-zA-Z_]+|\\[\\d+]|\\['.*?'])*: ).*");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path temp;

    /** GPT-2-style: ByteLevel pre-tokenizer and post-processor, merges as strings. */
    private static ObjectNode gpt2Style(Path temp) {
        return written(SmallByteLevelBpe.tokenizer(), temp.resolve("gpt2-style.json"));
    }

    /** Llama-3.1-style: Split + ByteLevel, NFC, a template adding BOS, merges as pairs, ignore_merges. */
    private static ObjectNode llamaStyle(Path temp) {
        ByteLevelBpeTokenizer small = SmallByteLevelBpe.tokenizer();
        Vocabulary v = small.vocabulary();
        Vocabulary withBos = new Vocabulary(v.tokens(), v.scores(), v.types(), v.bos(), v.eos(), -1, -1, true, false,
                false);
        ObjectNode root = written(new ByteLevelBpeTokenizer(withBos, small.merges(), PreTokenizer.LLAMA3, true,
                Normalization.NFC), temp.resolve("llama-style.json"));
        ArrayNode pairs = NODES.arrayNode();
        for (BpeMerge m : small.merges()) pairs.addArray().add(m.left()).add(m.right());
        ((ObjectNode) root.get("model")).set("merges", pairs);
        return root;
    }

    private static ObjectNode written(ByteLevelBpeTokenizer tokenizer, Path file) {
        HuggingFaceTokenizerJson.write(tokenizer, file);
        try {
            return (ObjectNode) JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsTheUnmutatedFiles() throws IOException {
        for (ObjectNode root : List.of(gpt2Style(temp), llamaStyle(temp))) {
            Path file = write(root);
            ByteLevelBpeTokenizer t = HuggingFaceTokenizerJson.read(file);
            assertThat(t.decode(t.encode("the quick 🦙 fox, 1234"))).isEqualTo("the quick 🦙 fox, 1234");
        }
    }

    /** Targeted breakage, each with the exact place the message must name. */
    @Test
    void namesTheFieldAtFault() throws IOException {
        expect(root -> root.remove("model"), "model: expected an object, found nothing (the field is missing)");
        expect(root -> model(root).remove("vocab"), "model.vocab: expected an object, found nothing");
        expect(root -> model(root).remove("merges"), "model.merges: expected an array, found nothing");
        expect(root -> model(root).put("type", "WordPiece"), "model.type: expected 'BPE'");
        expect(root -> ((ArrayNode) model(root).get("merges")).set(12, NODES.textNode("Ġzz qq")),
                "model.merges[12]: 'Ġzz' is not a token of model.vocab");
        expect(root -> ((ArrayNode) model(root).get("merges")).set(3, NODES.numberNode(7)),
                "model.merges[3]: expected \"a b\" or [\"a\", \"b\"], found the number 7");
        expect(root -> ((ArrayNode) model(root).get("merges")).set(4, NODES.textNode("nospace")),
                "model.merges[4]: merge 'nospace' has no space between its two tokens");
        expect(root -> vocab(root).put("b", 0), "model.vocab['b']: id 0 is also the id of");
        expect(root -> vocab(root).put("b", -1), "model.vocab['b']: expected a token id (an integer from 0 to 2147483647), found the number -1");
        expect(root -> vocab(root).put("b", 1.5), "model.vocab['b']: expected a token id");
        expect(root -> vocab(root).put("b", "98"), "model.vocab['b']: expected a token id (an integer from 0 to 2147483647), found the string '98'");
        expect(root -> vocab(root).put("b", Integer.MAX_VALUE), "model.vocab['b']: id 2147483647 leaves a gap: the ");
        expect(root -> vocab(root).put("b", new BigInteger("99999999999999999999")), "model.vocab['b']: expected a token id");
        expect(root -> vocab(root).set("not a byte", vocab(root).remove("b")), "model.vocab: byte 0x62 has no token ('b')");
        expect(root -> added(root).put("id", -5), "added_tokens[0].id: expected a token id");
        expect(root -> added(root).put("id", 1_000_000), "added_tokens[0].id: id 1000000, but '<|endoftext|>' already has the id");
        expect(root -> added(root).put("content", "brand new").put("id", 1_000_000), "added_tokens[0].id: id 1000000 leaves a gap");
        expect(root -> added(root).put("content", "brand new").put("id", 5), "added_tokens[0].id: id 5 is already the id of");
        expect(root -> added(root).remove("content"), "added_tokens[0].content: expected a string, found nothing");
        expect(root -> added(root).put("lstrip", true), "added_tokens[0].lstrip: true is not supported");
        expect(root -> added(root).put("special", "yes"), "added_tokens[0].special: expected true or false, found the string 'yes'");
        expect(root -> root.putObject("pre_tokenizer").put("type", "Whitespace"), "pre_tokenizer.type: 'Whitespace' is not supported");
        expect(root -> root.putObject("normalizer").put("type", "Lowercase"), "normalizer.type: 'Lowercase' is not supported");
        expect(root -> root.putObject("decoder").put("type", "WordPiece"), "decoder.type: expected 'ByteLevel'");
        expect(root -> root.putObject("post_processor").put("type", "RobertaProcessing"), "post_processor.type: 'RobertaProcessing' is not supported");
        expect(root -> ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", true), "pre_tokenizer.add_prefix_space: true is not supported");
        expect(root -> ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", 1), "pre_tokenizer.add_prefix_space: expected true or false, found the number 1");
        expect(root -> root.put("added_tokens", "none"), "added_tokens: expected an array, found the string 'none'");
        expect(root -> model(root).put("unk_token", "<nope>"), "model.unk_token: '<nope>' is not a token");
        expect(root -> model(root).put("dropout", 0.1), "model.dropout: expected null, found the number 0.1");
        expect(root -> model(root).put("byte_fallback", true), "model.byte_fallback: true is not supported");
        expect(root -> model(root).put("continuing_subword_prefix", "##"), "model.continuing_subword_prefix: expected null or ''");
        expect(root -> vocab(root).put("line\nbreak\u2028", Integer.MAX_VALUE), "model.vocab['line\\u000Abreak\\u2028']: id 2147483647 leaves a gap");
    }

    @Test
    void namesTheFieldAtFaultInLlamaStyleFiles() throws IOException {
        ObjectNode base = llamaStyle(temp);
        expect(base, root -> split(root).put("behavior", "Removed"), "pre_tokenizer.pretokenizers[0].behavior: 'Removed' is not supported");
        expect(base, root -> ((ObjectNode) split(root).get("pattern")).put("Regex", "\\w+"), "pre_tokenizer.pretokenizers[0].pattern.Regex: the pattern '\\w+' is not one Basalt has");
        expect(base, root -> ((ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(1)).put("use_regex", true), "pre_tokenizer.pretokenizers[1].use_regex: true is not supported after a Split");
        expect(base, root -> ((ArrayNode) model(root).get("merges")).set(12, JSON.createArrayNode().add("Ġ").add("")), "model.merges[12]: merge has an empty side");
        expect(base, root -> template(root).remove("special_tokens"), "post_processor.processors[1].special_tokens: expected an object, found nothing");
        expect(base, root -> ((ObjectNode) template(root).get("special_tokens").get("<|endoftext|>")).putArray("ids").add(70000), "post_processor.processors[1].special_tokens['<|endoftext|>'].ids[0]: id 70000 is not a token");
        expect(base, root -> ((ArrayNode) template(root).get("single")).removeAll(), "post_processor.processors[1].single: no sequence 'A'");
        expect(base, root -> root.putObject("normalizer").put("type", "Sequence").putArray("normalizers").addObject().put("type", "NFKD"), null);
    }

    @Test
    void reportsBrokenJsonByLineAndColumn() throws IOException {
        assertFails(writeBytes(new byte[0]), "the file is empty, expected a JSON object");
        assertFails(writeBytes("[]".getBytes(StandardCharsets.UTF_8)), "expected an object, found an array of 0");
        assertFails(writeBytes("{\"model\": {\"vocab\": {\"a\": 0, \"a\": 1}}}".getBytes(StandardCharsets.UTF_8)),
                "not valid JSON at line 1, column ");
        assertFails(writeBytes("{\"version\": \"1.0\"} trailing".getBytes(StandardCharsets.UTF_8)), "not valid JSON at line 1");
        assertFails(writeBytes(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}), "not valid JSON at line 1");
        assertFails(writeBytes(("{\"version\": " + "9".repeat(5000) + "}").getBytes(StandardCharsets.UTF_8)), "not valid JSON");
        assertFails(writeBytes(("{\"a\":" + "[".repeat(100_000)).getBytes(StandardCharsets.UTF_8)), "not valid JSON");
    }

    @Test
    void truncatedFilesFailCleanly() throws IOException {
        byte[] whole = JSON.writeValueAsBytes(gpt2Style(temp));
        SplittableRandom r = RandomInputs.random("TokenizerJsonReaderFuzzTest.truncated");
        for (int i = 0; i < 200; i++) {
            int length = RandomInputs.between(r, 0, whole.length - 1);
            Path file = writeBytes(java.util.Arrays.copyOf(whole, length));
            checkOne("truncated to " + length + " bytes (" + RandomInputs.seedNote() + ")", file);
        }
    }

    /** The real Llama 3 file, cut short a few times: large files fail as cleanly. */
    @Test
    void truncatedLlama3FailsCleanly() throws IOException {
        byte[] whole = Files.readAllBytes(TestAssets.require(ConvertedVocabularies.LLAMA3_JSON));
        SplittableRandom r = RandomInputs.random("TokenizerJsonReaderFuzzTest.truncatedLlama3");
        for (int i = 0; i < 4; i++) {
            int length = r.nextInt(whole.length);
            Path file = writeBytes(java.util.Arrays.copyOf(whole, length));
            assertFails(file, "not valid JSON at line ");
        }
    }

    @Test
    void randomByteMutationsFailCleanly() throws IOException {
        byte[] whole = JSON.writeValueAsBytes(llamaStyle(temp));
        SplittableRandom r = RandomInputs.random("TokenizerJsonReaderFuzzTest.bytes");
        for (int i = 0; i < 300; i++) {
            byte[] bytes = whole.clone();
            int edits = RandomInputs.between(r, 1, 8);
            StringBuilder what = new StringBuilder();
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(bytes.length);
                bytes[at] = RandomInputs.anyByte(r);
                what.append(at).append(' ');
            }
            checkOne("bytes changed at " + what + "(" + RandomInputs.seedNote() + ")", writeBytes(bytes));
        }
    }

    /** A random field anywhere in the tree replaced by a value of another kind, removed, or given a new name. */
    @Test
    void randomTreeMutationsFailCleanly() throws IOException {
        SplittableRandom r = RandomInputs.random("TokenizerJsonReaderFuzzTest.tree");
        List<ObjectNode> bases = List.of(gpt2Style(temp), llamaStyle(temp));
        for (int i = 0; i < 1000; i++) {
            ObjectNode root = bases.get(i % 2).deepCopy();
            String what = mutate(root, r);
            checkOne(what + " (" + RandomInputs.seedNote() + ")", write(root));
        }
    }

    /** decode(encode(s)) gives s back, with lone surrogates as U+FFFD and, for Qwen, in NFC. */
    @Test
    void realVocabulariesDecodeWhatTheyEncode() {
        List<ByteLevelBpeTokenizer> tokenizers = List.of(
                HuggingFaceTokenizerJson.read(TestAssets.require(ConvertedVocabularies.LLAMA3_JSON)),
                HuggingFaceTokenizerJson.read(TestAssets.require(ConvertedVocabularies.QWEN_JSON)),
                TestAssets.gpt2());
        for (ByteLevelBpeTokenizer t : tokenizers) {
            RandomInputs.forAll("TokenizerJsonReaderFuzzTest.roundTrip." + t.preTokenizer(), RandomInputs.stringEdgeCases(),
                    500, RandomInputs::anyString, s -> {
                        String expected = t.normalization().apply(withoutLoneSurrogates(s));
                        assertThat(t.decode(t.encode(s, false, true), false, true)).isEqualTo(expected);
                        assertThat(t.decode(t.encode(s))).isEqualTo(expected);
                    });
        }
    }

    /** {@code s} with each unpaired surrogate replaced by U+FFFD, as Basalt encodes it. */
    private static String withoutLoneSurrogates(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return out.toString();
    }

    // --- mutations ---

    private String mutate(ObjectNode root, SplittableRandom r) {
        JsonNode parent = root;
        String path = "";
        // walk down: stop at each level with probability 1/4, so that every depth is hit
        while (true) {
            if (parent.isEmpty()) break;
            int index = r.nextInt(parent.size());
            JsonNode child = parent.isObject() ? parent.get(nameAt(parent, index)) : parent.get(index);
            if (!child.isContainerNode() || child.isEmpty() || r.nextInt(4) == 0) {
                return mutateChild(parent, index, path, r);
            }
            path += parent.isObject() ? "." + nameAt(parent, index) : "[" + index + "]";
            parent = child;
        }
        return "nothing to mutate at " + path;
    }

    private static String mutateChild(JsonNode parent, int index, String path, SplittableRandom r) {
        JsonNode value = randomValue(r);
        if (parent instanceof ObjectNode object) {
            String name = nameAt(parent, index);
            switch (r.nextInt(4)) {
                case 0 -> {
                    object.remove(name);
                    return "removed " + path + "." + name;
                }
                case 1 -> {
                    JsonNode old = object.remove(name);
                    object.set(name + "_renamed", old);
                    return "renamed " + path + "." + name;
                }
                default -> {
                    object.set(name, value);
                    return "set " + path + "." + name + " to " + value;
                }
            }
        }
        ArrayNode array = (ArrayNode) parent;
        switch (r.nextInt(4)) {
            case 0 -> {
                array.remove(index);
                return "removed " + path + "[" + index + "]";
            }
            case 1 -> {
                array.insert(index, value);
                return "inserted " + value + " at " + path + "[" + index + "]";
            }
            default -> {
                array.set(index, value);
                return "set " + path + "[" + index + "] to " + value;
            }
        }
    }

    private static String nameAt(JsonNode object, int index) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names.get(index);
    }

    private static JsonNode randomValue(SplittableRandom r) {
        return switch (r.nextInt(16)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(r.nextBoolean());
            case 2 -> NODES.numberNode(-1);
            case 3 -> NODES.numberNode(0);
            case 4 -> NODES.numberNode(Integer.MAX_VALUE);
            case 5 -> NODES.numberNode(Integer.MAX_VALUE + 1L);
            case 6 -> NODES.numberNode(1.5);
            case 7 -> NODES.numberNode(new BigInteger("1" + "0".repeat(40)));
            case 8 -> NODES.textNode("");
            case 9 -> NODES.textNode("Ġ");
            case 10 -> NODES.textNode("line\nbreak\u2028\u0000" + RandomInputs.anyString(r));
            case 11 -> NODES.arrayNode();
            case 12 -> NODES.arrayNode().add(1).add("x");
            case 13 -> NODES.objectNode();
            case 14 -> NODES.objectNode().put("type", "Unknown");
            default -> NODES.numberNode(r.nextInt(1000));
        };
    }

    // --- checks ---

    /** The file reads, and the tokenizer works, or it fails with a proper message. */
    private void checkOne(String what, Path file) {
        Throwable thrown = catchThrowable(() -> {
            ByteLevelBpeTokenizer t = HuggingFaceTokenizerJson.read(file);
            t.decode(t.encode("the quick 🦙 fox, 1234 <|endoftext|>", true, true));
        });
        if (thrown == null) return;
        assertThat(thrown).as(what).isInstanceOf(TokenizerFormatException.class);
        assertOneLineNamingThePlace(what, file, thrown.getMessage());
    }

    private static void assertOneLineNamingThePlace(String what, Path file, String message) {
        assertThat(message).as(what).startsWith(file + ": ").hasSizeLessThan(1000);
        assertThat(message.chars().noneMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029))
                .as(what + ": one line, no control characters: " + message).isTrue();
        assertThat(message.substring(file.toString().length() + 2)).as(what).matches(PLACE);
    }

    private void expect(Consumer<ObjectNode> breakIt, String expected) throws IOException {
        expect(gpt2Style(temp), breakIt, expected);
    }

    /** Breaks a copy of {@code base}; the read fails with a message starting with {@code expected}, or, if null, succeeds. */
    private void expect(ObjectNode base, Consumer<ObjectNode> breakIt, String expected) throws IOException {
        ObjectNode root = base.deepCopy();
        breakIt.accept(root);
        Path file = write(root);
        if (expected == null) {
            assertThat(HuggingFaceTokenizerJson.read(file).normalization()).isEqualTo(Normalization.NFKD);
            return;
        }
        assertFails(file, expected);
    }

    private static void assertFails(Path file, String expectedStart) {
        assertThatThrownBy(() -> HuggingFaceTokenizerJson.read(file)).isInstanceOf(TokenizerFormatException.class)
                .satisfies(e -> assertOneLineNamingThePlace(expectedStart, file, e.getMessage()))
                .message().startsWith(file + ": " + expectedStart);
    }

    private static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    private static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) model(root).get("vocab");
    }

    private static ObjectNode added(ObjectNode root) {
        return (ObjectNode) root.get("added_tokens").get(0);
    }

    private static ObjectNode split(ObjectNode root) {
        return (ObjectNode) root.get("pre_tokenizer").get("pretokenizers").get(0);
    }

    private static ObjectNode template(ObjectNode root) {
        return (ObjectNode) root.get("post_processor").get("processors").get(1);
    }

    private int files;

    private Path write(ObjectNode root) throws IOException {
        return writeBytes(JSON.writeValueAsBytes(root));
    }

    private Path writeBytes(byte[] bytes) throws IOException {
        Path file = temp.resolve("tokenizer-" + files++ + ".json");
        Files.write(file, bytes);
        return file;
    }
}
