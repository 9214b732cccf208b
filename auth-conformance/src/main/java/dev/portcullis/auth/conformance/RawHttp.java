package dev.portcullis.auth.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A deliberately dumb HTTP/1.1 client over a socket: it sends exactly the bytes given (raw paths,
 * duplicate headers, backslashes), so that tests see what a hostile or unusual client sends.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * A response: status, headers (lower-case names, all values), body.
     *
     * @param status the status code
     * @param headers lower-case header name to every value, in the order received
     * @param body the body decoded as UTF-8, de-chunked
     */
    public record Response(int status, Map<String, List<String>> headers, String body) {
        /**
         * One header's first value.
         *
         * @param name the header name, in any case
         * @return the first value, or {@code null} when the response has no such header
         */
        public @Nullable String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }
    }

    /**
     * Sends {@code method target} with the headers given (each "Name: value"), a body, and Connection: close, on a
     * connection of its own. {@code Host} and {@code Content-Length} are added; a {@code PUT}, {@code POST} or
     * {@code PATCH} without a body says {@code Content-Length: 0}.
     *
     * @param port the server's port on 127.0.0.1
     * @param method the method exactly as sent
     * @param target the request target exactly as sent, not encoded or checked
     * @param headers header lines, each {@code Name: value}, sent in this order
     * @param body the body, or {@code null} for none
     * @return the response, read until the server closes the connection
     * @throws IOException if the connection fails or the server sends nothing for 30 s
     */
    public static Response send(int port, String method, String target, List<String> headers, byte @Nullable [] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (method.equals("PUT") || method.equals("POST") || method.equals("PATCH")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return parse(socket.getInputStream());
        }
    }

    /**
     * Like {@link #send(int, String, String, List, byte[])}, without a body.
     *
     * @param port the server's port on 127.0.0.1
     * @param method the method exactly as sent
     * @param target the request target exactly as sent
     * @param headers header lines, each {@code Name: value}
     * @return the response
     * @throws IOException if the connection fails or the server sends nothing for 30 s
     */
    public static Response send(int port, String method, String target, String... headers) throws IOException {
        return send(port, method, target, List.of(headers), null);
    }

    /**
     * Sends these exact bytes (ISO-8859-1; the caller writes every header, line ending and body)
     * and returns every response read until the server closes the connection: none when it closed
     * without answering. The connection is half-closed after sending, so ask for
     * {@code Connection: close} or expect the server to close it.
     *
     * @param port the server's port on 127.0.0.1
     * @param request the whole request, or several pipelined ones
     * @return the responses in order; empty when the server closed or reset the connection without answering
     * @throws IOException if the connection cannot be opened or the server sends nothing for 30 s
     */
    public static List<Response> exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server answered and closed before reading everything: read what it said
            }
            byte[] all;
            try {
                all = socket.getInputStream().readAllBytes();
            } catch (java.net.SocketException e) {
                all = new byte[0]; // reset without an answer
            }
            List<Response> responses = new ArrayList<>();
            int at = 0;
            while (at < all.length) {
                int[] next = new int[1];
                responses.add(parse(all, at, next));
                at = next[0];
            }
            return responses;
        }
    }

    /**
     * One connection kept open across requests, as a pooling client keeps it: write any bytes,
     * read one response at a time, and see when the server closes the connection.
     */
    public static final class Conversation implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;

        /**
         * Opens the connection.
         *
         * @param port the server's port on 127.0.0.1
         * @throws IOException if the connection cannot be opened
         */
        public Conversation(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = socket.getInputStream();
        }

        /**
         * Sends bytes on the connection as they are: a request, part of one, or several.
         *
         * @param bytes the bytes as ISO-8859-1 text
         * @throws IOException if the connection is broken, e.g. reset by the server
         */
        public void write(String bytes) throws IOException {
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /**
         * The next response (sized or chunked), or null when the server closed the connection before sending one.
         *
         * @return the response, or {@code null} when the connection closed first
         * @throws IOException if the connection closed inside a response head, or nothing came for 30 s
         */
        public @Nullable Response next() throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int b;
            while (!endsWith(all, "\r\n\r\n")) {
                if ((b = read()) == -1) {
                    if (all.size() == 0) {
                        return null;
                    }
                    throw new IOException("connection closed inside a response head");
                }
                all.write(b);
            }
            String head = all.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length:\\s*(\\d+)").matcher(head);
            if (length.find()) {
                all.write(in.readNBytes(Integer.parseInt(length.group(1))));
            } else if (head.contains("\r\ntransfer-encoding: chunked")) {
                while (!endsWith(all, "\r\n0\r\n\r\n") && (b = in.read()) != -1) {
                    all.write(b);
                }
            }
            return parse(all.toByteArray(), 0, new int[1]);
        }

        private int read() throws IOException {
            try {
                return in.read();
            } catch (java.net.SocketException e) {
                return -1; // reset: closed just the same
            }
        }

        private static boolean endsWith(ByteArrayOutputStream out, String suffix) {
            return out.size() >= suffix.length() && out.toString(StandardCharsets.ISO_8859_1).endsWith(suffix);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Response parse(InputStream in) throws IOException {
        return parse(in.readAllBytes(), 0, new int[1]);
    }

    /** Parses the response starting at {@code from}; {@code next[0]} is set to where the next one starts. */
    private static Response parse(byte[] all, int from, int[] next) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n", from);
        String[] lines = text.substring(from, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        List<String> length = headers.get("content-length");
        List<String> te = headers.get("transfer-encoding");
        int bodyEnd = length != null ? end + 4 + Integer.parseInt(length.get(0)) : all.length;
        byte[] body = java.util.Arrays.copyOfRange(all, end + 4, Math.min(bodyEnd, all.length));
        if (te != null && te.get(0).equalsIgnoreCase("chunked")) {
            body = dechunk(body); // read to the end: only the last response of a connection may be chunked here
        }
        next[0] = Math.min(bodyEnd, all.length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = indexOf(body, i);
            int size = Integer.parseInt(new String(body, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(body, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length - 1; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return b.length;
    }
}
