package io.sluice.flow;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * One protobuf message (FlowMessage, CounterMessage) as a line of JSON, for the file output and for
 * people reading flows: proto field names, addresses (4- or 16-byte bytes fields) as IP text, other
 * bytes as base64, enums by name, unsigned integers as unsigned. Fields left at their default are
 * omitted, as on the wire. Off the hot path (it allocates).
 */
public final class ProtoJson {
    private ProtoJson() {}

    public static String toJson(Message m) {
        StringBuilder sb = new StringBuilder(512);
        append(sb, m);
        return sb.toString();
    }

    public static void append(StringBuilder sb, Message m) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            if (!first) sb.append(',');
            first = false;
            FieldDescriptor f = e.getKey();
            sb.append('"').append(f.getName()).append("\":");
            if (f.isRepeated()) {
                sb.append('[');
                List<?> list = (List<?>) e.getValue();
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) sb.append(',');
                    value(sb, f, list.get(i));
                }
                sb.append(']');
            } else {
                value(sb, f, e.getValue());
            }
        }
        sb.append('}');
    }

    private static void value(StringBuilder sb, FieldDescriptor f, Object v) {
        switch (f.getType()) {
            case UINT32, FIXED32 -> sb.append(Integer.toUnsignedString((Integer) v));
            case UINT64, FIXED64 -> sb.append(Long.toUnsignedString((Long) v));
            case BYTES -> {
                ByteString b = (ByteString) v;
                if (b.size() == 4 || b.size() == 16) {
                    sb.append('"').append(AddressFormat.format(b.toByteArray(), b.size())).append('"');
                } else {
                    sb.append('"').append(Base64.getEncoder().encodeToString(b.toByteArray())).append('"');
                }
            }
            case ENUM -> sb.append('"').append(((EnumValueDescriptor) v).getName()).append('"');
            case MESSAGE, GROUP -> append(sb, (Message) v);
            case STRING -> quote(sb, (String) v);
            default -> sb.append(v); // int32/int64/bool/double/float
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
