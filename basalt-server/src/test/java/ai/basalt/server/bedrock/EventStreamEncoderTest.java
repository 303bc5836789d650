package ai.basalt.server.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.eventstream.HeaderValue;
import software.amazon.awssdk.eventstream.Message;
import software.amazon.awssdk.eventstream.MessageDecoder;

/** Our event stream messages against the AWS SDK's own decoder and encoder. */
class EventStreamEncoderTest {

    private static List<Message> decode(byte[] bytes, int feedSize) {
        List<Message> out = new ArrayList<>();
        MessageDecoder decoder = new MessageDecoder(out::add);
        for (int i = 0; i < bytes.length; i += feedSize) {
            decoder.feed(bytes, i, Math.min(feedSize, bytes.length - i));
        }
        return out;
    }

    @Test
    void anEventDecodesWithTheSdkDecoder() {
        byte[] payload = "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"héllo → 世界\"}}".getBytes(StandardCharsets.UTF_8);
        byte[] frame = EventStreamEncoder.event("contentBlockDelta", payload);

        List<Message> messages = decode(frame, frame.length);

        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        assertThat(m.getHeaders()).containsOnlyKeys(":event-type", ":content-type", ":message-type");
        assertThat(m.getHeaders().get(":event-type").getString()).isEqualTo("contentBlockDelta");
        assertThat(m.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
        assertThat(m.getHeaders().get(":message-type").getString()).isEqualTo("event");
        assertThat(m.getPayload()).isEqualTo(payload);
    }

    @Test
    void framesAreByteForByteWhatTheSdkEncoderWrites() {
        byte[] payload = "{\"stopReason\":\"end_turn\"}".getBytes(StandardCharsets.UTF_8);
        Map<String, HeaderValue> headers = new LinkedHashMap<>();
        headers.put(":event-type", HeaderValue.fromString("messageStop"));
        headers.put(":content-type", HeaderValue.fromString("application/json"));
        headers.put(":message-type", HeaderValue.fromString("event"));
        ByteBuffer sdk = new Message(headers, payload).toByteBuffer();
        byte[] expected = new byte[sdk.remaining()];
        sdk.get(expected);

        assertThat(EventStreamEncoder.event("messageStop", payload)).isEqualTo(expected);
    }

    @Test
    void exceptionsAndEmptyPayloadsDecodeToo() {
        byte[] exception = EventStreamEncoder.exception("throttlingException", "{\"message\":\"busy\"}".getBytes(StandardCharsets.UTF_8));
        byte[] empty = EventStreamEncoder.message(Map.of("a", "b"), new byte[0]);
        byte[] both = new byte[exception.length + empty.length];
        System.arraycopy(exception, 0, both, 0, exception.length);
        System.arraycopy(empty, 0, both, exception.length, empty.length);

        List<Message> messages = decode(both, 7); // fed in awkward pieces, as a socket delivers them

        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).getHeaders().get(":exception-type").getString()).isEqualTo("throttlingException");
        assertThat(messages.get(0).getHeaders().get(":message-type").getString()).isEqualTo("exception");
        assertThat(new String(messages.get(0).getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"busy\"}");
        assertThat(messages.get(1).getHeaders().get("a").getString()).isEqualTo("b");
        assertThat(messages.get(1).getPayload()).isEmpty();
        assertThat(empty).hasSize(12 + (1 + 1 + 1 + 2 + 1) + 4);
    }

    @Test
    void theCrcsCoverThePreludeAndTheWholeMessage() {
        byte[] frame = EventStreamEncoder.event("metadata", "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteBuffer.wrap(frame).getInt(0)).isEqualTo(frame.length);

        byte[] badPrelude = frame.clone();
        badPrelude[9] ^= 1; // inside the prelude's CRC
        assertThatThrownBy(() -> decode(badPrelude, badPrelude.length)).hasMessageContaining("Prelude checksum failure");

        byte[] badPayload = frame.clone();
        badPayload[frame.length - 6] ^= 1; // inside the payload
        assertThatThrownBy(() -> decode(badPayload, badPayload.length)).hasMessageContaining("Message checksum failure");
    }

    @Test
    void headersOverTheFormatsLimitsAreRefused() {
        assertThatThrownBy(() -> EventStreamEncoder.message(Map.of("x".repeat(256), "v"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 255");
        assertThatThrownBy(() -> EventStreamEncoder.message(Map.of("", "v"), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventStreamEncoder.message(Map.of("n", "v".repeat(40_000)), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 32767");
        assertThatThrownBy(() -> EventStreamEncoder.message(Map.of("n", ""), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 32767");
    }
}
