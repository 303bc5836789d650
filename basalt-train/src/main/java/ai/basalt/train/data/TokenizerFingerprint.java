package ai.basalt.train.data;

import ai.basalt.tokenizer.Tokenizer;
import ai.basalt.tokenizer.Vocabulary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of everything in a {@link Vocabulary} that decides how text is tokenized: per token its text, score
 * and type, then the special ids and the flags. Two tokenizers with the same fingerprint give the same token ids
 * for the same text; a token shard records the fingerprint of the tokenizer that made it, so that training
 * cannot silently pair it with another.
 *
 * <p>The digest is over {@code "basalt-vocabulary-v1"}, the size V, then per token: type id, score bits and the
 * length-prefixed UTF-8 text, then bos, eos, unk, pad and the three flags, integers as big-endian int32.
 */
public final class TokenizerFingerprint {
    /** Bytes in a fingerprint. */
    public static final int BYTES = 32;

    private TokenizerFingerprint() {}

    public static byte[] of(Tokenizer tokenizer) {
        return of(tokenizer.vocabulary());
    }

    public static byte[] of(Vocabulary vocabulary) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        sha.update("basalt-vocabulary-v1".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer ints = ByteBuffer.allocate(4 * 4);
        int size = vocabulary.size();
        sha.update(ints.clear().putInt(size).flip());
        for (int id = 0; id < size; id++) {
            byte[] text = vocabulary.tokens()[id].getBytes(StandardCharsets.UTF_8);
            sha.update(ints.clear().putInt(vocabulary.types()[id].id())
                    .putInt(Float.floatToRawIntBits(vocabulary.scores()[id])).putInt(text.length).flip());
            sha.update(text);
        }
        sha.update(ints.clear().putInt(vocabulary.bos()).putInt(vocabulary.eos()).putInt(vocabulary.unk())
                .putInt(vocabulary.pad()).flip());
        sha.update(new byte[] {flag(vocabulary.addBos()), flag(vocabulary.addEos()), flag(vocabulary.addSpacePrefix())});
        return sha.digest();
    }

    /** {@code fingerprint} in lower-case hex. */
    public static String hex(byte[] fingerprint) {
        return HexFormat.of().formatHex(fingerprint);
    }

    private static byte flag(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
