package dev.strand.bench;

/**
 * The bytes Strand sends for a chunk of text without control characters, written out by hand for servers that
 * frame SSE themselves (a line feed, for one, is escaped in six characters here and in two by Jackson in Strand).
 */
public final class SseFrames {

    /** The task name every bench server streams under. */
    public static final String TASK = "job";

    /** Sent when a stream opens (so its headers go out at once) and every 15 seconds after. */
    public static final String HEARTBEAT = ":hb\n\n";

    private SseFrames() {
    }

    /** A complete chunk event: {@code id: <id>\nevent: chunk\ndata: <data>\n\n}. */
    public static String chunk(long id, String data) {
        return "id: " + id + "\nevent: chunk\ndata: " + data + "\n\n";
    }

    /** A chunk event's data: {@code {"task":"job","text":"<text>"}}, the text JSON-escaped. */
    public static String chunkData(String text) {
        StringBuilder json = new StringBuilder(text.length() + 24).append("{\"task\":\"").append(TASK)
                .append("\",\"text\":\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append("\"}").toString();
    }
}
