package ai.basalt.format.gguf;

import static ai.basalt.format.gguf.GgufTestFiles.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import ai.basalt.tensor.DType;
import org.junit.jupiter.api.Test;

/** Malformed tensor infos and tensor data: each is refused with a one-line message naming file and tensor. */
class GgufTensorErrorsTest {
    /** A file with one tensor info, followed by the aligned data section holding {@code dataBytes} bytes. */
    private static byte[] oneTensor(GgufBytes info, int dataBytes) {
        return info.padTo(32).zeros(dataBytes).bytes();
    }

    private static GgufBytes header() {
        return GgufBytes.header(3, 1, 0);
    }

    @Test
    void wellFormedTensorOpens() {
        try (GgufFile gguf = GgufTestFiles.read("ok.gguf", oneTensor(header().tensorInfo("w", DType.F32, 0, 4), 16))) {
            assertThat(gguf.tensor("w").dims()).containsExactly(4);
            assertThat(gguf.dataOffset()).isEqualTo(64);
        }
    }

    @Test
    void dataOutsideTheFile() {
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 1024, 4), 16)))
                .isEqualTo("bad.gguf: tensor 'w' (F32 [4], 16 bytes at data offset 1024) extends beyond the end of the file: "
                        + "the data section starts at 64 and the file ends at 80");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, 5), 16))).contains("extends beyond the end");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, 4), 0))).contains("extends beyond the end");
        assertThat(rejection(header().tensorInfo("w", DType.F32, 0, 4).bytes())).contains("the data section starts at 64 and the file ends at 57");
    }

    @Test
    void misalignedOffset() {
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 4, 4), 32)))
                .isEqualTo("bad.gguf: data offset 4 is not a multiple of the alignment 32 (tensor 'w')");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, Long.MIN_VALUE, 4), 32)))
                .contains("data offset 9223372036854775808 is not a multiple");
    }

    @Test
    void unknownTensorTypes() {
        for (int removed : new int[] {4, 5, 99, -1}) {
            byte[] bytes = header().str("w").u32(1).u64(4).u32(removed).u64(0).padTo(32).zeros(16).bytes();
            assertThat(rejection(bytes)).contains("unknown tensor type id " + Integer.toUnsignedString(removed), "(tensor 'w')");
        }
    }

    @Test
    void dimensionCountsAndDimensions() {
        assertThat(rejection(header().str("w").u32(0).u32(0).u64(0).bytes())).contains("dimension count 0, 1 to 4 expected");
        assertThat(rejection(header().tensorInfo("w", DType.F32, 0, 1, 1, 1, 1, 1).bytes())).contains("dimension count 5");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, 4, 0), 16)))
                .contains("dimension 1 is 0, 1 to 2^63-1 expected");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, -1L), 16)))
                .contains("dimension 0 is 18446744073709551615");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, 1L << 32, 1L << 32), 16)))
                .contains("size of F32 [4294967296, 4294967296] overflows a long");
        assertThat(rejection(oneTensor(header().tensorInfo("w", DType.F32, 0, 1L << 62), 16)))
                .contains("overflows a long");
        assertThat(rejection(oneTensor(header().tensorInfo("q", DType.Q4_0, 0, 16), 18)))
                .contains("row length 16 is not a multiple of Q4_0's block size 32 (tensor 'q')");
    }

    @Test
    void duplicateTensorNames() {
        byte[] bytes = GgufBytes.header(3, 2, 0).tensorInfo("w", DType.F32, 0, 8).tensorInfo("w", DType.F32, 32, 8)
                .padTo(32).zeros(64).bytes();
        assertThat(rejection(bytes)).contains("duplicate tensor name 'w' (tensor info 1)");
    }

    @Test
    void tensorNamesOfAtMost64Bytes() {
        String longest = "n".repeat(64);
        try (GgufFile gguf = GgufTestFiles.read("ok.gguf", oneTensor(header().tensorInfo(longest, DType.I8, 0, 32), 32))) {
            assertThat(gguf.tensor(longest).data().byteSize()).isEqualTo(32);
        }
        assertThat(rejection(oneTensor(header().tensorInfo(longest + "n", DType.I8, 0, 32), 32)))
                .contains("tensor name of 65 bytes exceeds the limit of 64 bytes (tensor info 0)");
    }

    @Test
    void typesKnownButNotComputableAreRead() {
        byte[] bytes = oneTensor(header().tensorInfo("k", DType.Q6_K, 0, 256, 2), 420);
        try (GgufFile gguf = GgufTestFiles.read("ok.gguf", bytes)) {
            assertThat(gguf.tensor("k").type()).isEqualTo(DType.Q6_K);
            assertThat(gguf.tensor("k").data().byteSize()).isEqualTo(420);
        }
    }
}
