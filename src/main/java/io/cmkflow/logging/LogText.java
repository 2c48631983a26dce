package io.cmkflow.logging;

/**
 * What a log line may hold of a value from outside (message ids, request ids, ReplyTo, reasons, tags, names, Azure's
 * error texts): line breaks and other control characters written as escapes, so a value can never begin a line of its
 * own and imitate another log entry (an audit line, say). The log pattern applies it to every message and exception
 * text ({@link EscapedMessageConverter}, {@link EscapedThrowableConverter}), whatever the code that logs forgot.
 */
public final class LogText {

    private LogText() {
    }

    /** {@code value} with CR, LF and every other control character (tab aside), and U+2028/U+2029, escaped. */
    public static String escape(String value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> (Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }
}
