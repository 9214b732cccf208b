package dev.portcullis.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A request for {@link Portcullis#handle} in tests, without a server. */
public record TestRequest(String method, String target, Map<String, List<String>> headerMap, byte[] bodyBytes) implements HttpRequestView {

    public static TestRequest of(String method, String target, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (String h : headers) {
            int colon = h.indexOf(':');
            map.computeIfAbsent(h.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).strip());
        }
        return new TestRequest(method, target, map, new byte[0]);
    }

    public TestRequest withBody(String body) {
        return new TestRequest(method, target, headerMap, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String rawPath() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    @Override
    public String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? null : target.substring(q + 1);
    }

    @Override
    public List<String> headers(String name) {
        return headerMap.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    @Override
    public String remoteAddress() {
        return "127.0.0.1";
    }

    @Override
    public boolean secure() {
        return false;
    }

    @Override
    public byte[] body(int limit) {
        return bodyBytes.length > limit + 1 ? java.util.Arrays.copyOf(bodyBytes, limit + 1) : bodyBytes;
    }
}
