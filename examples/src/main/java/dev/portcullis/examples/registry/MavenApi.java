package dev.portcullis.examples.registry;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.MavenMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosted Maven repositories over {@link MavenStorage}, at {@code PREFIX/<repository-id>/…}, answering as Maven's
 * resolver and {@code mvn deploy} expect: GET and HEAD of files (404 when absent), PUT (201 created, 200 replaced),
 * DELETE (204), and a plain listing for a directory. Authorization is Portcullis's ({@code MavenRoutes}); this class
 * commits each write under the condition it was allowed under, and answers a lost race with that condition's refusal.
 */
final class MavenApi implements StoreApi {
    private static final Logger LOG = LoggerFactory.getLogger(MavenApi.class);
    /** The largest artifact file accepted: 2 GiB. */
    static final long MAX_FILE = 2L << 30;
    private static final long MAX_CHECKSUM = 1024;

    private final String prefix; // with its trailing slash
    private final MavenStorage storage;
    private final RegistryMetrics metrics;

    MavenApi(String prefix, MavenStorage storage, RegistryMetrics metrics) {
        this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        this.storage = storage;
        this.metrics = metrics;
    }

    @Override
    public boolean readsBody(String method, String path) {
        return method.equals("PUT") && path.startsWith(prefix);
    }

    @Override
    public Response failure(String why) {
        return text(500, why);
    }

    @Override
    public Response handle(Request r) {
        Response response;
        try {
            response = dispatch(r);
        } catch (MavenStorage.Refused e) {
            response = text(e.status, String.valueOf(e.getMessage()));
        } catch (MavenStorage.TooLarge e) {
            response = text(413, r.path() + " is larger than this repository accepts (" + e.limit + " bytes)");
        } catch (IOException e) {
            LOG.error("{} {} failed: {}", r.method(), r.path(), e.toString());
            response = text(500, "storage failed: " + e.getMessage());
        }
        metrics.request(r.method(), response.status());
        return response;
    }

    private Response dispatch(Request r) throws IOException, MavenStorage.Refused {
        String path = r.path();
        if (path.equals(metrics.path()) && (r.method().equals("GET") || r.method().equals("HEAD"))) {
            return metrics.response();
        }
        if (r.method().equals("OPTIONS")) {
            return Response.of(204, Map.of("Allow", "GET, HEAD, PUT, DELETE, OPTIONS"), new byte[0]);
        }
        if (!path.startsWith(prefix)) {
            return text(404, "nothing here: the Maven repositories are under " + prefix + " (" + String.join(", ", storage.repositories()) + ")");
        }
        String file = path.substring(prefix.length());
        return switch (r.method()) {
            case "GET", "HEAD" -> file.isEmpty() || file.endsWith("/") ? listing(path, file) : get(file);
            case "PUT" -> put(r, file);
            case "DELETE" -> storage.delete(file) ? Response.of(204, Map.of(), new byte[0]) : text(404, path + " is not stored");
            default -> text(405, r.method() + " is not supported on " + path);
        };
    }

    private Response get(String file) throws IOException {
        Optional<Path> stored = storage.read(file);
        if (stored.isEmpty()) {
            return text(404, "/" + file + " is not stored");
        }
        return new Response(200, Map.of("Content-Type", contentType(file), "X-Content-Type-Options", "nosniff"), null, stored.get(),
                Files.size(stored.get()));
    }

    private Response put(Request r, String file) throws IOException, MavenStorage.Refused {
        boolean metadata = file.endsWith("/maven-metadata.xml");
        long limit = MavenStorage.checksumAlgorithm(file) != null ? MAX_CHECKSUM : metadata ? MavenMetadata.MAX_BYTES : MAX_FILE;
        // the condition the write was allowed under: the policy name is the file's path without what MavenRoutes cut off
        Optional<WriteCondition> condition = r.writeConditions().stream().filter(c -> c.target().equals(file)).findFirst();
        boolean created;
        try {
            created = storage.write(file, r.body(), limit, condition.orElse(null));
        } catch (MavenStorage.ConditionFailed e) {
            LOG.info("{} lost the race for /{}: {}", r.who(), file, e.getMessage());
            return Response.of(condition.orElseThrow().refusal());
        }
        LOG.info("{} {} /{}", r.who(), created ? "deployed" : "replaced", file);
        return Response.of(created ? 201 : 200, Map.of(), new byte[0]);
    }

    private Response listing(String path, String directory) throws IOException {
        String dir = directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory;
        Optional<List<String>> entries = dir.isEmpty() ? Optional.of(storage.repositories().stream().sorted().map(id -> id + "/").toList())
                : storage.list(dir);
        if (entries.isEmpty()) {
            return text(404, path + " is not a directory here");
        }
        StringBuilder html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(path)).append("</title></head><body><h1>").append(escape(path)).append("</h1><ul>");
        for (String e : entries.get()) {
            html.append("<li><a href=\"").append(escape(e)).append("\">").append(escape(e)).append("</a></li>");
        }
        html.append("</ul></body></html>");
        return Response.of(200, Map.of("Content-Type", "text/html; charset=utf-8", "Content-Security-Policy", "default-src 'none'",
                "X-Content-Type-Options", "nosniff"), html.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String contentType(String file) {
        if (file.endsWith(".pom") || file.endsWith(".xml")) {
            return "application/xml";
        }
        if (file.endsWith(".jar")) {
            return "application/java-archive";
        }
        return MavenStorage.checksumAlgorithm(file) != null || file.endsWith(".asc") ? "text/plain" : "application/octet-stream";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }


    private static Response text(int status, String message) {
        return Response.of(status, Map.of("Content-Type", "text/plain; charset=utf-8"), (message + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
