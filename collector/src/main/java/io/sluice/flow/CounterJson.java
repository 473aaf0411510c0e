package io.sluice.flow;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.sluice.flow.pb.CounterMessage;
import java.util.Map;

/**
 * sFlow counter messages as JSON through the same {@link JsonFields} as flows: field names of
 * flow.proto, counters as numbers (not protobuf JSON's quoted 64-bit strings), addresses as text
 * (not base64), other bytes (a raw record's data) as hex; fields at their default are left out.
 * Off the hot path (one line per counter record), so it walks the message's descriptor.
 */
public final class CounterJson {
    private CounterJson() {}

    public static String toJson(CounterMessage counters) {
        StringBuilder sb = new StringBuilder(512);
        append(counters, sb);
        return sb.toString();
    }

    /** Any of sluice's side messages (a drop notification, say) by the same rules as counters. */
    public static String toJson(Message message) {
        StringBuilder sb = new StringBuilder(512);
        JsonFields w = new JsonFields(sb);
        fields(message, w);
        w.end();
        return sb.toString();
    }

    public static void append(CounterMessage counters, StringBuilder sb) {
        JsonFields w = new JsonFields(sb);
        fields(counters, w);
        w.end();
    }

    private static void fields(Message m, JsonFields w) {
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) { // set fields, number order
            FieldDescriptor d = e.getKey();
            Object v = e.getValue();
            String name = d.getName();
            switch (d.getJavaType()) {
                case MESSAGE -> {
                    JsonFields nested = w.object(name);
                    fields((Message) v, nested);
                    nested.end();
                }
                case BYTE_STRING -> {
                    ByteString b = (ByteString) v;
                    if (name.endsWith("address") && (b.size() == 4 || b.size() == 16)) {
                        w.text(name, AddressFormat.format(b.toByteArray(), b.size()));
                    } else {
                        w.text(name, hex(b));
                    }
                }
                case INT -> w.forceNum(name, ((Integer) v) & 0xFFFF_FFFFL); // uint32 in the schema
                case LONG -> w.unsigned(name, (Long) v);
                case BOOLEAN -> w.text(name, v.toString()); // none today; kept total
                default -> w.text(name, v.toString());
            }
        }
    }

    private static String hex(ByteString b) {
        StringBuilder sb = new StringBuilder(b.size() * 2);
        for (int i = 0; i < b.size(); i++) {
            int x = b.byteAt(i) & 0xff;
            sb.append(Character.forDigit(x >>> 4, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }
}
