package ai.basalt.server.bedrock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Messages of the AWS event stream encoding ({@code application/vnd.amazon.eventstream}), as Bedrock's streaming
 * operations send them. One message, all integers big-endian:
 *
 * <pre>
 *   total length   u32   the whole message, this field and the trailing CRC included
 *   headers length u32
 *   prelude CRC    u32   CRC-32 of the 8 bytes above
 *   headers              each: name length u8, name (UTF-8), value type u8 (7 = string), value length u16, value
 *   payload
 *   message CRC    u32   CRC-32 of everything before it, the prelude and its CRC included
 * </pre>
 *
 * (AWS Transcribe developer guide, "Event stream encoding"; awslabs aws-c-event-stream). Only string headers are
 * written: every header Bedrock sends ({@code :event-type}, {@code :exception-type}, {@code :content-type},
 * {@code :message-type}) is one.
 */
public final class EventStreamEncoder {
    private static final int PRELUDE_BYTES = 12;
    private static final int CRC_BYTES = 4;
    private static final byte STRING_TYPE = 7;
    private static final int MAX_HEADER_NAME_BYTES = 255;
    private static final int MAX_HEADER_VALUE_BYTES = Short.MAX_VALUE;
    /** The largest payload the format allows (16 MiB), as the SDK's decoder enforces. */
    static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;
    /** The largest headers section the format allows (128 KiB). */
    static final int MAX_HEADERS_BYTES = 128 * 1024;

    private EventStreamEncoder() {}

    /** An event message: {@code :event-type} {@code type}, a JSON payload. */
    public static byte[] event(String type, byte[] json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        return message(headers, json);
    }

    /** A modelled exception message: {@code :exception-type} {@code type} (camelCase, as the union member is named), a JSON payload. */
    public static byte[] exception(String type, byte[] json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", type);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return message(headers, json);
    }

    /**
     * One message with string headers, in the map's order.
     *
     * @throws IllegalArgumentException when a header or the payload is over the format's limits
     */
    public static byte[] message(Map<String, String> headers, byte[] payload) {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("event stream payload of " + payload.length + " bytes is over the limit of " + MAX_PAYLOAD_BYTES);
        }
        List<byte[]> encoded = new ArrayList<>();
        int headersLength = 0;
        for (var h : headers.entrySet()) {
            byte[] name = h.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = h.getValue().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > MAX_HEADER_NAME_BYTES) {
                throw new IllegalArgumentException("event stream header name '" + h.getKey() + "' is " + name.length + " bytes; 1 to 255 allowed");
            }
            // the SDKs' decoders refuse an empty string value
            if (value.length == 0 || value.length > MAX_HEADER_VALUE_BYTES) {
                throw new IllegalArgumentException("event stream header '" + h.getKey() + "' has a value of " + value.length + " bytes; 1 to 32767 allowed");
            }
            encoded.add(name);
            encoded.add(value);
            headersLength += 1 + name.length + 1 + 2 + value.length;
        }
        if (headersLength > MAX_HEADERS_BYTES) {
            throw new IllegalArgumentException("event stream headers of " + headersLength + " bytes are over the limit of " + MAX_HEADERS_BYTES);
        }
        int total = PRELUDE_BYTES + headersLength + payload.length + CRC_BYTES;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total);
        b.putInt(headersLength);
        b.putInt(crc(b.array(), 0, 8));
        for (int i = 0; i < encoded.size(); i += 2) {
            byte[] name = encoded.get(i);
            byte[] value = encoded.get(i + 1);
            b.put((byte) name.length);
            b.put(name);
            b.put(STRING_TYPE);
            b.putShort((short) value.length);
            b.put(value);
        }
        b.put(payload);
        b.putInt(crc(b.array(), 0, total - CRC_BYTES));
        return b.array();
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
