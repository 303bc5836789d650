package ai.basalt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** A tensor checks its shape against its type and data, and answers shape questions in GGML order. */
class TensorTest {

    @Test
    void answersShapeQuestionsInGgmlOrder() {
        Tensor t = new Tensor("t", DType.Q8_0, new long[] {64, 3, 2}, MemorySegment.ofArray(new byte[6 * 68]));

        assertThat(t.rank()).isEqualTo(3);
        assertThat(t.cols()).isEqualTo(64);
        assertThat(t.rows()).isEqualTo(6);
        assertThat(t.dim(1)).isEqualTo(3);
        assertThat(t.dim(3)).as("past the rank").isEqualTo(1);
        assertThat(t.elementCount()).isEqualTo(384);
        assertThat(t.rowBytes()).isEqualTo(68);
        assertThat(t.toString()).contains("t", "Q8_0", "[64, 3, 2]");
    }

    @Test
    void dimsAreCopiedInAndOut() {
        long[] dims = {4, 2};
        Tensor t = new Tensor("t", DType.F32, dims, MemorySegment.ofArray(new float[8]));

        dims[0] = 99;
        t.dims()[1] = 99;

        assertThat(t.dims()).containsExactly(4, 2);
    }

    @Test
    void ofFloatsCopiesItsValues() {
        float[] values = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.ofFloats("t", values, 3, 2);

        values[0] = 42;

        assertThat(t.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(t.rows()).isEqualTo(2);
    }

    @Test
    void refusesRanksOutsideOneToFour() {
        MemorySegment data = MemorySegment.ofArray(new float[1]);
        assertThatThrownBy(() -> new Tensor("t", DType.F32, new long[0], data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> new Tensor("t", DType.F32, new long[] {1, 1, 1, 1, 1}, data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
    }

    @Test
    void refusesNonPositiveDimensions() {
        MemorySegment data = MemorySegment.ofArray(new float[4]);
        assertThatThrownBy(() -> new Tensor("w", DType.F32, new long[] {4, 0}, data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("w").hasMessageContaining("0");
        assertThatThrownBy(() -> new Tensor("w", DType.F32, new long[] {-4}, data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-4");
    }

    @Test
    void refusesRowsThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> new Tensor("w", DType.Q4_0, new long[] {48, 2}, MemorySegment.ofArray(new byte[54])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("48").hasMessageContaining("32");
    }

    @Test
    void refusesDataOfTheWrongSize() {
        assertThatThrownBy(() -> new Tensor("w", DType.F16, new long[] {8, 2}, MemorySegment.ofArray(new byte[30])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("30 bytes").hasMessageContaining("expected 32");
    }

    @Test
    void refusesElementCountsThatOverflow() {
        assertThatThrownBy(() -> new Tensor("w", DType.F32, new long[] {Long.MAX_VALUE, 2}, MemorySegment.ofArray(new byte[4])))
                .isInstanceOf(ArithmeticException.class);
    }
}
