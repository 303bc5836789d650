package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The GGML type table: ids, block sizes and block bytes as ggml defines them ({@code ggml.h}, {@code ggml.c}). */
class DTypeTest {

    /** name, GGML id, elements per block, bytes per block: written out independently of the enum. */
    static Stream<Arguments> ggmlTable() {
        return Stream.of(
                arguments("F32", 0, 1, 4), arguments("F16", 1, 1, 2),
                arguments("Q4_0", 2, 32, 18), arguments("Q4_1", 3, 32, 20),
                arguments("Q5_0", 6, 32, 22), arguments("Q5_1", 7, 32, 24),
                arguments("Q8_0", 8, 32, 34), arguments("Q8_1", 9, 32, 36),
                arguments("Q2_K", 10, 256, 84), arguments("Q3_K", 11, 256, 110),
                arguments("Q4_K", 12, 256, 144), arguments("Q5_K", 13, 256, 176),
                arguments("Q6_K", 14, 256, 210), arguments("Q8_K", 15, 256, 292),
                arguments("IQ2_XXS", 16, 256, 66), arguments("IQ2_XS", 17, 256, 74),
                arguments("IQ3_XXS", 18, 256, 98), arguments("IQ1_S", 19, 256, 50),
                arguments("IQ4_NL", 20, 32, 18), arguments("IQ3_S", 21, 256, 110),
                arguments("IQ2_S", 22, 256, 82), arguments("IQ4_XS", 23, 256, 136),
                arguments("I8", 24, 1, 1), arguments("I16", 25, 1, 2),
                arguments("I32", 26, 1, 4), arguments("I64", 27, 1, 8),
                arguments("F64", 28, 1, 8), arguments("IQ1_M", 29, 256, 56),
                arguments("BF16", 30, 1, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ggmlTable")
    void matchesGgml(String name, int id, int blockSize, int bytesPerBlock) {
        DType t = DType.valueOf(name);

        assertThat(t.ggmlId()).isEqualTo(id);
        assertThat(t.blockSize()).isEqualTo(blockSize);
        assertThat(t.bytesPerBlock()).isEqualTo(bytesPerBlock);
        assertThat(t.quantized()).isEqualTo(blockSize > 1);
        assertThat(DType.fromGgmlId(id)).isSameAs(t);
    }

    @Test
    void theTableCoversEveryConstant() {
        assertThat(ggmlTable().map(a -> a.get()[0])).containsExactlyInAnyOrder(
                Arrays.stream(DType.values()).map(DType::name).toArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 4, 5, 31, 39, 63, 64, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void unknownIdsAreNull(int id) {
        assertThat(DType.fromGgmlId(id)).isNull();
    }

    @Test
    void exactlyTheTypesWithKernelsAreComputable() {
        assertThat(EnumSet.allOf(DType.class).stream().filter(DType::computable))
                .containsExactlyInAnyOrder(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0,
                        DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q4_K, DType.Q5_K, DType.Q6_K);
    }

    @Test
    void byteSizeCountsWholeBlocks() {
        assertThat(DType.F32.byteSize(7)).isEqualTo(28);
        assertThat(DType.BF16.byteSize(3)).isEqualTo(6);
        assertThat(DType.Q4_0.byteSize(64)).isEqualTo(36);
        assertThat(DType.Q8_0.byteSize(4096)).isEqualTo(128 * 34);
        assertThat(DType.Q6_K.byteSize(512)).isEqualTo(420);
        assertThat(DType.Q8_0.byteSize(0)).isZero();
    }

    @Test
    void byteSizeRefusesPartialBlocksAndNegativeCounts() {
        assertThatThrownBy(() -> DType.Q8_0.byteSize(33))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("33").hasMessageContaining("32");
        assertThatThrownBy(() -> DType.F32.byteSize(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byteSizeOverflowIsAnError() {
        assertThatThrownBy(() -> DType.F32.byteSize(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> DType.Q8_0.byteSize(Long.MAX_VALUE / 32 * 32)).isInstanceOf(ArithmeticException.class);
        assertThat(DType.I8.byteSize(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }
}
