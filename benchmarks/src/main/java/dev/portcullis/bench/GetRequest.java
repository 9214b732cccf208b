package dev.portcullis.bench;

import dev.portcullis.auth.HttpRequestView;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** A {@code GET} of {@code rawPath} from 127.0.0.1 with the given {@code Authorization} headers, for in-process benchmarks. */
record GetRequest(String rawPath, List<String> authorization) implements HttpRequestView {
    public String method() {
        return "GET";
    }

    public @Nullable String rawQuery() {
        return null;
    }

    public List<String> headers(String name) {
        return name.equalsIgnoreCase("Authorization") ? authorization : List.of();
    }

    public String remoteAddress() {
        return "127.0.0.1";
    }

    public boolean secure() {
        return false;
    }

    public byte[] body(int limit) {
        return new byte[0];
    }
}
