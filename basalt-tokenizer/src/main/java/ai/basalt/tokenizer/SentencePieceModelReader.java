package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads a SentencePiece {@code .model} file (a serialized {@code ModelProto}, google/sentencepiece
 * {@code src/sentencepiece_model.proto}) into a {@link Vocabulary}, field by field, without generated
 * classes. Fields this reader does not need are skipped; those it reads must carry their declared wire type.
 *
 * <p>Mapping: the pieces give tokens, scores and types; {@code TrainerSpec} gives {@code unk_id},
 * {@code bos_id}, {@code eos_id} and {@code pad_id}; {@code NormalizerSpec.add_dummy_prefix} gives
 * {@link Vocabulary#addSpacePrefix()}. The file records no add-BOS/EOS policy, so the vocabulary adds BOS
 * when there is one and never EOS, llama.cpp's defaults for SentencePiece models. The model type, byte
 * fallback flag and normalisation rules are not read, as llama.cpp uses none of them.
 *
 * <p>Checked: the protobuf framing (lengths inside the file, valid tags and wire types), at least one
 * piece, every piece non-empty with a type from 1 to 6, byte pieces reading {@code <0xHH>}, and special ids
 * inside the vocabulary or -1. A violation throws {@link TokenizerFormatException} with a one-line message
 * naming the file.
 */
public final class SentencePieceModelReader {
    // ModelProto
    static final int MODEL_PIECES = 1;
    static final int MODEL_TRAINER_SPEC = 2;
    static final int MODEL_NORMALIZER_SPEC = 3;
    // ModelProto.SentencePiece
    static final int PIECE_PIECE = 1;
    static final int PIECE_SCORE = 2;
    static final int PIECE_TYPE = 3;
    // TrainerSpec
    static final int TRAINER_MODEL_TYPE = 3;
    static final int TRAINER_BYTE_FALLBACK = 35;
    static final int TRAINER_UNK_ID = 40;
    static final int TRAINER_BOS_ID = 41;
    static final int TRAINER_EOS_ID = 42;
    static final int TRAINER_PAD_ID = 43;
    // NormalizerSpec
    static final int NORMALIZER_NAME = 1;
    static final int NORMALIZER_ADD_DUMMY_PREFIX = 3;
    static final int NORMALIZER_REMOVE_EXTRA_WHITESPACES = 4;
    static final int NORMALIZER_ESCAPE_WHITESPACES = 5;

    private final String resource;
    private final List<String> tokens = new ArrayList<>();
    private float[] scores = new float[1024];
    private final List<TokenType> types = new ArrayList<>();
    // proto2 defaults of TrainerSpec and NormalizerSpec
    private int unk = 0;
    private int bos = 1;
    private int eos = 2;
    private int pad = -1;
    private boolean addDummyPrefix = true;

    private SentencePieceModelReader(String resource) {
        this.resource = resource;
    }

    /** Reads {@code modelFile}; throws {@link TokenizerFormatException} naming the file if it is malformed. */
    public static Vocabulary read(Path modelFile) {
        byte[] model;
        try {
            model = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read SentencePiece model " + modelFile + ": " + e, e);
        }
        return read(model, modelFile.toString());
    }

    /**
     * Reads a serialized model; {@code resource} names it in error messages. Throws
     * {@link TokenizerFormatException} if the bytes are not a valid model.
     */
    public static Vocabulary read(byte[] model, String resource) {
        return new SentencePieceModelReader(resource).parse(model);
    }

    private Vocabulary parse(byte[] model) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case MODEL_PIECES -> message(in, tag, this::readPiece);
                    case MODEL_TRAINER_SPEC -> message(in, tag, this::readTrainerSpec);
                    case MODEL_NORMALIZER_SPEC -> message(in, tag, this::readNormalizerSpec);
                    default -> skip(in, tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw malformed("corrupt or truncated protobuf (" + oneLine(e.getMessage()) + ")");
        } catch (IOException e) {
            throw malformed("unreadable protobuf (" + oneLine(e.toString()) + ")");
        }
        if (tokens.isEmpty()) {
            throw malformed("no pieces, expected at least one");
        }
        try {
            return new Vocabulary(tokens.toArray(String[]::new), Arrays.copyOf(scores, tokens.size()),
                    types.toArray(TokenType[]::new), bos, eos, unk, pad, bos != -1, false, addDummyPrefix);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    private interface Body {
        void read(CodedInputStream in) throws IOException;
    }

    /** Reads the embedded message that {@code tag} starts with {@code body}, which loops to its end. */
    private void message(CodedInputStream in, int tag, Body body) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int length = in.readRawVarint32();
        int outer = in.pushLimit(length);
        body.read(in);
        in.popLimit(outer);
    }

    private void readPiece(CodedInputStream in) throws IOException {
        int id = tokens.size();
        String piece = "";
        float score = 0f;
        TokenType type = TokenType.NORMAL;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case PIECE_PIECE -> {
                    expectWireType(tag, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    piece = in.readString();
                }
                case PIECE_SCORE -> {
                    expectWireType(tag, WireFormat.WIRETYPE_FIXED32);
                    score = in.readFloat();
                }
                case PIECE_TYPE -> {
                    expectWireType(tag, WireFormat.WIRETYPE_VARINT);
                    int value = in.readEnum();
                    if (value < TokenType.NORMAL.id() || value > TokenType.BYTE.id()) {
                        throw malformed("piece " + id + " has type " + value + ", expected 1..6");
                    }
                    type = TokenType.fromId(value);
                }
                default -> skip(in, tag);
            }
        }
        if (piece.isEmpty()) {
            throw malformed("piece " + id + " is empty, expected a non-empty string");
        }
        if (type == TokenType.BYTE && !isBytePiece(piece)) {
            throw malformed("byte piece " + id + " reads '" + piece + "', expected <0xHH>");
        }
        if (id == scores.length) {
            scores = Arrays.copyOf(scores, id * 2);
        }
        tokens.add(piece);
        scores[id] = score;
        types.add(type);
    }

    private static boolean isBytePiece(String piece) {
        return piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")
                && HexFormat.isHexDigit(piece.charAt(3)) && HexFormat.isHexDigit(piece.charAt(4));
    }

    private void readTrainerSpec(CodedInputStream in) throws IOException {
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            switch (WireFormat.getTagFieldNumber(tag)) {
                case TRAINER_UNK_ID -> unk = readInt32(in, tag);
                case TRAINER_BOS_ID -> bos = readInt32(in, tag);
                case TRAINER_EOS_ID -> eos = readInt32(in, tag);
                case TRAINER_PAD_ID -> pad = readInt32(in, tag);
                default -> skip(in, tag);
            }
        }
    }

    private void readNormalizerSpec(CodedInputStream in) throws IOException {
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            if (WireFormat.getTagFieldNumber(tag) == NORMALIZER_ADD_DUMMY_PREFIX) {
                expectWireType(tag, WireFormat.WIRETYPE_VARINT);
                addDummyPrefix = in.readBool();
            } else {
                skip(in, tag);
            }
        }
    }

    private int readInt32(CodedInputStream in, int tag) throws IOException {
        expectWireType(tag, WireFormat.WIRETYPE_VARINT);
        return in.readInt32();
    }

    private void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw malformed("end-group tag of field " + WireFormat.getTagFieldNumber(tag)
                    + " without a start-group tag");
        }
    }

    private void expectWireType(int tag, int expected) {
        int actual = WireFormat.getTagWireType(tag);
        if (actual != expected) {
            throw malformed("field " + WireFormat.getTagFieldNumber(tag) + " has wire type " + actual
                    + ", expected " + expected);
        }
    }

    private TokenizerFormatException malformed(String what) {
        return new TokenizerFormatException("malformed SentencePiece model: " + what + " (file: " + resource + ")");
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").trim();
    }
}
