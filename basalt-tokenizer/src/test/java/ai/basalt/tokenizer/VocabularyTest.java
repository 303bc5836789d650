package ai.basalt.tokenizer;

import ai.basalt.format.gguf.TokenType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VocabularyTest {
    private static final TokenType N = TokenType.NORMAL;

    @Test
    void looksUpTokensBothWays() {
        Vocabulary v = new Vocabulary(new String[] {"a", "b", "a"}, new float[3], new TokenType[] {N, N, N},
                -1, -1, -1, -1, false, false, true);
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.id("b")).isEqualTo(1);
        assertThat(v.id("a")).as("the highest id wins, as in llama.cpp").isEqualTo(2);
        assertThat(v.id("c")).isEqualTo(-1);
        assertThat(v.token(1)).isEqualTo("b");
        assertThatThrownBy(() -> v.token(3)).hasMessage("token id out of range: actual=3 vs expected=0..2");
    }

    @Test
    void copiesItsArrays() {
        String[] tokens = {"a"};
        Vocabulary v = new Vocabulary(tokens, new float[1], new TokenType[] {N}, -1, -1, -1, -1, false, false, true);
        tokens[0] = "changed";
        assertThat(v.token(0)).isEqualTo("a");
        assertThat(v).isEqualTo(new Vocabulary(new String[] {"a"}, new float[1], new TokenType[] {N},
                -1, -1, -1, -1, false, false, true));
    }

    @Test
    void rejectsInconsistentInput() {
        assertThatThrownBy(() -> new Vocabulary(new String[] {"a"}, new float[2], new TokenType[] {N},
                -1, -1, -1, -1, false, false, true)).hasMessageContaining("array lengths differ");
        assertThatThrownBy(() -> new Vocabulary(new String[0], new float[0], new TokenType[0],
                -1, -1, -1, -1, false, false, true)).hasMessageContaining("empty");
        assertThatThrownBy(() -> new Vocabulary(new String[] {"a"}, new float[1], new TokenType[] {N},
                1, -1, -1, -1, false, false, true)).hasMessage("bos id out of range: actual=1 vs expected=-1..0");
        assertThatThrownBy(() -> new Vocabulary(new String[] {"a"}, new float[1], new TokenType[] {N},
                -1, -1, -2, -1, false, false, true)).hasMessageContaining("unk id out of range");
        assertThatThrownBy(() -> new Vocabulary(new String[] {"a"}, new float[1], new TokenType[] {N},
                -1, -1, -1, -1, true, false, true)).hasMessageContaining("no bos token");
        assertThatThrownBy(() -> new Vocabulary(new String[] {null}, new float[1], new TokenType[] {N},
                -1, -1, -1, -1, false, false, true)).hasMessageContaining("null");
    }

    @Test
    void tokenTypesKeepTheirGgufIds() {
        for (TokenType type : TokenType.values()) {
            assertThat(TokenType.fromId(type.id())).isSameAs(type);
        }
        assertThat(TokenType.BYTE.id()).isEqualTo(6);
        assertThat(TokenType.UNDEFINED.id()).isZero();
        assertThatThrownBy(() -> TokenType.fromId(7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenType.fromId(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
