package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import static ai.basalt.tokenizer.SentencePieceModelReader.*;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link Vocabulary} as a SentencePiece {@code .model} file that {@link SentencePieceModelReader}
 * reads back: the pieces, a BPE {@code TrainerSpec} with the special ids (and {@code byte_fallback} set when
 * there are byte tokens), and an identity {@code NormalizerSpec} carrying {@code add_dummy_prefix}. The
 * format has no place for {@code addBos}/{@code addEos}; the reader restores llama.cpp's defaults.
 */
public final class SentencePieceModelWriter {
    private static final int MODEL_TYPE_BPE = 2;

    private SentencePieceModelWriter() {}

    /** Writes {@code vocabulary} to {@code modelFile}. */
    public static void write(Vocabulary vocabulary, Path modelFile) {
        try {
            Files.write(modelFile, write(vocabulary));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write SentencePiece model " + modelFile + ": " + e, e);
        }
    }

    /**
     * The serialized model. Throws {@link IllegalArgumentException} for a token of type
     * {@link TokenType#UNDEFINED}, which SentencePiece cannot store.
     */
    public static byte[] write(Vocabulary vocabulary) {
        return message(out -> {
            boolean hasBytes = false;
            for (int id = 0; id < vocabulary.size(); id++) {
                out.writeByteArray(MODEL_PIECES, piece(vocabulary, id));
                hasBytes |= vocabulary.type(id) == TokenType.BYTE;
            }
            boolean byteFallback = hasBytes;
            out.writeByteArray(MODEL_TRAINER_SPEC, message(trainer -> {
                trainer.writeEnum(TRAINER_MODEL_TYPE, MODEL_TYPE_BPE);
                trainer.writeBool(TRAINER_BYTE_FALLBACK, byteFallback);
                trainer.writeInt32(TRAINER_UNK_ID, vocabulary.unk());
                trainer.writeInt32(TRAINER_BOS_ID, vocabulary.bos());
                trainer.writeInt32(TRAINER_EOS_ID, vocabulary.eos());
                trainer.writeInt32(TRAINER_PAD_ID, vocabulary.pad());
            }));
            out.writeByteArray(MODEL_NORMALIZER_SPEC, message(normalizer -> {
                normalizer.writeString(NORMALIZER_NAME, "identity");
                normalizer.writeBool(NORMALIZER_ADD_DUMMY_PREFIX, vocabulary.addSpacePrefix());
                normalizer.writeBool(NORMALIZER_REMOVE_EXTRA_WHITESPACES, false);
                normalizer.writeBool(NORMALIZER_ESCAPE_WHITESPACES, true);
            }));
        });
    }

    private static byte[] piece(Vocabulary vocabulary, int id) {
        TokenType type = vocabulary.type(id);
        if (type == TokenType.UNDEFINED) {
            throw new IllegalArgumentException("token " + id + " has type UNDEFINED, which SentencePiece cannot store");
        }
        return message(piece -> {
            piece.writeString(PIECE_PIECE, vocabulary.token(id));
            piece.writeFloat(PIECE_SCORE, vocabulary.score(id));
            piece.writeEnum(PIECE_TYPE, type.id());
        });
    }

    private interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] message(Body body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            body.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
    }
}
