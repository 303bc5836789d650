package ai.basalt.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * {@link TorchGenerator} against PyTorch 1.13's own stream ({@code tools/pytorch/make_rng_fixture.py}): every call
 * of a script, one after the other on one generator, so both the values and each call's draw count must agree.
 */
class TorchGeneratorTest {

    private static JsonNode fixture() throws IOException {
        try (InputStream in = TorchGeneratorTest.class.getResourceAsStream("torch-rng.json")) {
            assertThat(in).as("torch-rng.json on the test class path").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void reproducesPyTorchsStreamCallForCall() throws IOException {
        JsonNode streams = fixture().get("streams");
        assertThat(streams.size()).isEqualTo(3);
        int normals = 0;
        for (JsonNode stream : streams) {
            TorchGenerator g = new TorchGenerator(stream.get("seed").asLong());
            for (JsonNode call : stream.get("calls")) {
                JsonNode args = call.get("args");
                JsonNode expected = call.get("values");
                String what = "seed " + stream.get("seed") + " " + call.get("call").asText() + args;
                switch (call.get("call").asText()) {
                    case "randint" -> {
                        long high = args.get(0).asLong();
                        for (int i = 0; i < args.get(1).asInt(); i++) {
                            assertThat(g.randint(high)).as(what + " [" + i + "]").isEqualTo(expected.get(i).asLong());
                        }
                    }
                    case "uniform" -> {
                        float[] out = new float[args.get(0).asInt()];
                        g.uniform(out, 0, out.length, (float) args.get(1).asDouble(), (float) args.get(2).asDouble());
                        for (int i = 0; i < out.length; i++) {
                            assertThat(out[i]).as(what + " [" + i + "]").isEqualTo((float) expected.get(i).asDouble());
                        }
                    }
                    case "normal" -> {
                        float[] out = new float[args.get(0).asInt()];
                        float std = (float) args.get(2).asDouble();
                        g.normal(out, 0, out.length, (float) args.get(1).asDouble(), std);
                        for (int i = 0; i < out.length; i++) {
                            float want = (float) expected.get(i).asDouble();
                            // PyTorch's AVX2 log/sin/cos are polynomial approximations: a few ulps apart
                            assertThat(out[i]).as(what + " [" + i + "]")
                                    .isCloseTo(want, org.assertj.core.data.Offset.offset(4e-6f * std + 8 * Math.ulp(want)));
                            normals++;
                        }
                    }
                    default -> throw new AssertionError("unknown call " + call);
                }
            }
        }
        assertThat(normals).isEqualTo(3 * (16 + 37 + 64 + 1000));
    }

    @Test
    void replayResumesTheStreamAtAnyDrawCount() {
        TorchGenerator a = new TorchGenerator(1337);
        float[] w = new float[50];
        a.normal(w, 0, 50, 0f, 1f);
        a.randint(1000);
        long at = a.draws();
        assertThat(at).isEqualTo(50 + 16 + 1);
        TorchGenerator b = TorchGenerator.replay(1337, at);
        for (int i = 0; i < 1000; i++) assertThat(b.random()).isEqualTo(a.random());
        assertThat(b.draws()).isEqualTo(a.draws());
        long next = a.random();
        b.skip(5);
        b.seek(at + 1000); // backwards: reseeded, then forwards again
        assertThat(b.draws()).isEqualTo(at + 1000);
        assertThat(b.random()).isEqualTo(next);
    }

    @Test
    void refusesWhatItDoesNotReproduce() {
        TorchGenerator g = new TorchGenerator(1);
        assertThatThrownBy(() -> g.normal(new float[15], 0, 15, 0f, 1f)).hasMessageContaining("15 elements");
        assertThatThrownBy(() -> g.randint(0)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> TorchGenerator.replay(1, -1)).hasMessageContaining("negative");
    }
}
