package dev.portcullis.examples.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.policy.Behaviour;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OCI distribution-spec API over {@link Storage}. Authorization is entirely Portcullis's; this class only
 * honours what it hands over (the identity for the catalog, the mount sources the caller may not read).
 */
final class RegistryApi implements StoreApi {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_MANIFEST = 4 * 1024 * 1024;
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final List<String> MANIFEST_TYPES = List.of(OCI_MANIFEST, "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json");

    private final Storage storage;
    private final Portcullis portcullis;
    private final RegistryMetrics metrics;

    RegistryApi(Storage storage, Portcullis portcullis, RegistryMetrics metrics) {
        this.storage = storage;
        this.portcullis = portcullis;
        this.metrics = metrics;
    }

    @Override
    public boolean readsBody(String method, String path) {
        return (method.equals("PUT") || method.equals("POST") || method.equals("PATCH")) && path.startsWith("/v2/") && path.length() > "/v2/".length();
    }

    @Override
    public Response failure(String why) {
        return error(500, "UNKNOWN", why);
    }

    @Override
    public Response handle(Request r) {
        Response response;
        try {
            response = dispatch(r);
        } catch (IOException e) {
            LOG.error("{} {} failed: {}", r.method(), r.path(), e.toString());
            response = error(500, "UNKNOWN", "storage failed: " + e.getMessage());
        }
        metrics.request(r.method(), response.status());
        return response;
    }

    private Response dispatch(Request r) throws IOException {
        String path = r.path();
        if (r.method().equals("OPTIONS")) {
            // not policy-checked (as in zot, for CORS preflights): answered here, never with content
            return Response.of(204, Map.of("Allow", "GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS"), new byte[0]);
        }
        if (path.equals(metrics.path())) {
            if (!isRead(r)) {
                return error(405, "UNSUPPORTED", r.method() + " is not supported on " + path);
            }
            return metrics.response();
        }
        if (path.equals("/v2/") || path.equals("/v2")) {
            return json(200, JSON.createObjectNode(), Map.of());
        }
        if (path.equals("/v2/_catalog")) {
            return catalog(r);
        }
        Optional<OciDistributionRoutes.Parsed> parsed = OciDistributionRoutes.parsePath(path);
        if (parsed.isEmpty() || !OciDistributionRoutes.isValidName(parsed.get().name())) {
            return error(404, "NOT_FOUND", "no registry route " + path);
        }
        OciDistributionRoutes.Parsed p = parsed.get();
        return switch (p.kind()) {
            case MANIFEST -> manifest(r, p.name(), p.rest());
            case BLOB -> p.rest().equals("uploads") ? startUpload(r, p.name()) : blob(r, p.name(), p.rest());
            case UPLOAD -> p.rest().isEmpty() ? startUpload(r, p.name()) : upload(r, p.name(), p.rest());
            case TAGS -> isRead(r) ? tags(p.name()) : error(405, "UNSUPPORTED", r.method() + " is not supported on tags");
            case REFERRERS -> error(404, "UNSUPPORTED", "the referrers API is not implemented by this example registry");
        };
    }

    private static boolean isRead(Request r) {
        return r.method().equals("GET") || r.method().equals("HEAD");
    }

    // ------------------------------------------------------------------ catalog and tags

    private Response catalog(Request r) throws IOException {
        List<String> visible = portcullis.filterCatalog(r.identity(), storage.repositories());
        ObjectNode body = JSON.createObjectNode();
        ArrayNode repos = body.putArray("repositories");
        visible.forEach(repos::add);
        return json(200, body, Map.of());
    }

    private Response tags(String name) throws IOException {
        Optional<List<String>> tags = storage.tags(name);
        if (tags.isEmpty()) {
            return error(404, "NAME_UNKNOWN", "repository '" + name + "' is not known");
        }
        ObjectNode body = JSON.createObjectNode().put("name", name);
        ArrayNode list = body.putArray("tags");
        tags.get().forEach(list::add);
        return json(200, body, Map.of());
    }

    // ------------------------------------------------------------------ manifests

    private Response manifest(Request r, String name, String reference) throws IOException {
        boolean digest = Storage.DIGEST.matcher(reference).matches();
        if (!digest && !Storage.TAG.matcher(reference).matches()) {
            return error(400, "MANIFEST_INVALID", "'" + reference + "' is neither a tag nor a sha256 digest");
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                Optional<Storage.Manifest> m = storage.manifest(name, reference);
                if (m.isEmpty()) {
                    return error(404, "MANIFEST_UNKNOWN", "manifest '" + reference + "' is not in '" + name + "'");
                }
                return Response.of(200, Map.of("Content-Type", m.get().mediaType(), "Docker-Content-Digest", m.get().digest(),
                        "X-Content-Type-Options", "nosniff"), m.get().content());
            }
            case "PUT" -> {
                return putManifest(r, name, reference);
            }
            case "DELETE" -> {
                // zot's detectManifestCollision: a digest that several tags name is not deleted out from under them
                boolean detect = r.behaviours().contains(Behaviour.DETECT_MANIFEST_COLLISION);
                return switch (storage.deleteManifest(name, reference, detect)) {
                    case DELETED -> Response.of(202, Map.of(), new byte[0]);
                    case NOT_FOUND -> error(404, "MANIFEST_UNKNOWN", "manifest '" + reference + "' is not in '" + name + "'");
                    case COLLISION -> error(409, "MANIFEST_INVALID", "manifest '" + reference + "' is named by more than one tag of '"
                            + name + "'; delete the tags one by one (detectManifestCollision)");
                };
            }
            default -> {
                return error(405, "UNSUPPORTED", r.method() + " is not supported on manifests");
            }
        }
    }

    private Response putManifest(Request r, String name, String reference) throws IOException {
        byte[] content = r.body().readNBytes(MAX_MANIFEST + 1);
        if (content.length > MAX_MANIFEST) {
            return error(413, "SIZE_INVALID", "a manifest may be at most 4 MiB");
        }
        String mediaType = Optional.ofNullable(r.header().apply("Content-Type")).map(t -> t.split(";")[0].strip()).orElse("");
        JsonNode json;
        try {
            json = JSON.readTree(content);
        } catch (IOException e) {
            return error(400, "MANIFEST_INVALID", "the manifest is not JSON");
        }
        if (json == null || !json.isObject()) {
            return error(400, "MANIFEST_INVALID", "the manifest must be a JSON object");
        }
        String declared = json.path("mediaType").asText("");
        if (mediaType.isEmpty()) {
            mediaType = declared.isEmpty() ? OCI_MANIFEST : declared;
        }
        if (!MANIFEST_TYPES.contains(mediaType)) {
            // served back as the Content-Type: anything else (text/html) would let a pusher script the registry's origin
            return error(400, "MANIFEST_INVALID", "'" + mediaType + "' is not a manifest media type; use one of " + String.join(", ", MANIFEST_TYPES));
        }
        if (!declared.isEmpty() && !declared.equals(mediaType)) {
            return error(400, "MANIFEST_INVALID", "the Content-Type '" + mediaType + "' differs from the manifest's mediaType '" + declared + "'");
        }
        Optional<String> missing = missingReference(name, json);
        if (missing.isPresent()) {
            return error(400, "MANIFEST_BLOB_UNKNOWN", "the manifest refers to " + missing.get() + ", which '" + name + "' does not hold");
        }
        // a push allowed only as a create (or only as an update) commits only if the tag is still absent (present)
        Optional<WriteCondition> condition = r.condition(name, reference);
        String digest;
        try {
            digest = storage.putManifest(name, reference, mediaType, content, condition.map(WriteCondition::expect).orElse(null));
        } catch (Storage.DigestMismatch e) {
            return error(400, "DIGEST_INVALID", String.valueOf(e.getMessage()));
        } catch (Storage.ConditionFailed e) {
            LOG.info("{} lost the race for {}:{}: it changed after the push was allowed", r.who(), name, reference);
            return Response.of(condition.get().refusal());
        }
        metrics.pushed(content.length);
        LOG.info("{} pushed {}:{} ({})", r.who(), name, reference, digest);
        return Response.of(201, Map.of("Location", "/v2/" + name + "/manifests/" + digest, "Docker-Content-Digest", digest), new byte[0]);
    }

    /** A blob or child manifest the manifest names that the repository does not hold. */
    private Optional<String> missingReference(String name, JsonNode manifest) {
        if (manifest.has("manifests")) {
            for (JsonNode child : manifest.get("manifests")) {
                String d = child.path("digest").asText("");
                if (!Storage.DIGEST.matcher(d).matches() || !storage.hasManifest(name, d)) {
                    return Optional.of("manifest " + d);
                }
            }
            return Optional.empty();
        }
        List<JsonNode> blobs = new java.util.ArrayList<>();
        if (manifest.has("config")) {
            blobs.add(manifest.get("config"));
        }
        manifest.path("layers").forEach(blobs::add);
        for (JsonNode b : blobs) {
            String d = b.path("digest").asText("");
            if (!Storage.DIGEST.matcher(d).matches() || storage.blob(name, d).isEmpty()) {
                return Optional.of("blob " + d);
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ blobs and uploads

    private Response blob(Request r, String name, String digest) throws IOException {
        if (!Storage.DIGEST.matcher(digest).matches()) {
            return error(400, "DIGEST_INVALID", "'" + digest + "' is not a sha256 digest");
        }
        switch (r.method()) {
            case "GET", "HEAD" -> {
                Optional<Path> file = storage.blob(name, digest);
                if (file.isEmpty()) {
                    return error(404, "BLOB_UNKNOWN", "blob " + digest + " is not in '" + name + "'");
                }
                return new Response(200, Map.of("Content-Type", "application/octet-stream", "Docker-Content-Digest", digest),
                        null, file.get(), Files.size(file.get()));
            }
            case "DELETE" -> {
                return storage.unlink(name, digest) ? Response.of(202, Map.of(), new byte[0])
                        : error(404, "BLOB_UNKNOWN", "blob " + digest + " is not in '" + name + "'");
            }
            default -> {
                return error(405, "UNSUPPORTED", r.method() + " is not supported on blobs");
            }
        }
    }

    private Response startUpload(Request r, String name) throws IOException {
        if (!r.method().equals("POST")) {
            return error(405, "UNSUPPORTED", r.method() + " is not supported here; start an upload with POST");
        }
        String mount = r.param("mount");
        String from = r.param("from");
        if (mount != null && from != null && Storage.DIGEST.matcher(mount).matches() && OciDistributionRoutes.isValidName(from)) {
            // a source the caller may not read is treated as absent: a normal upload follows, nothing leaks
            if (!r.deniedMountSources().contains(from) && storage.blob(from, mount).isPresent()) {
                storage.link(name, mount);
                return Response.of(201, Map.of("Location", "/v2/" + name + "/blobs/" + mount, "Docker-Content-Digest", mount), new byte[0]);
            }
        }
        String digest = r.param("digest");
        if (digest != null) {
            if (!Storage.DIGEST.matcher(digest).matches()) {
                return error(400, "DIGEST_INVALID", "'" + digest + "' is not a sha256 digest");
            }
            try {
                storage.putBlob(name, r.body(), digest);
            } catch (Storage.DigestMismatch e) {
                return error(400, "DIGEST_INVALID", String.valueOf(e.getMessage()));
            }
            return Response.of(201, Map.of("Location", "/v2/" + name + "/blobs/" + digest, "Docker-Content-Digest", digest), new byte[0]);
        }
        String id = storage.startUpload(name);
        return Response.of(202, Map.of("Location", "/v2/" + name + "/blobs/uploads/" + id, "Docker-Upload-UUID", id, "Range", "0-0"), new byte[0]);
    }

    private Response upload(Request r, String name, String id) throws IOException {
        Optional<Long> size = storage.uploadSize(name, id);
        if (size.isEmpty()) {
            return error(404, "BLOB_UPLOAD_UNKNOWN", "upload " + id + " is not in progress for '" + name + "'");
        }
        String location = "/v2/" + name + "/blobs/uploads/" + id;
        switch (r.method()) {
            case "GET", "HEAD" -> {
                return Response.of(204, progress(location, id, size.get()), new byte[0]);
            }
            case "PATCH" -> {
                String range = r.header().apply("Content-Range");
                if (range != null && !range.strip().startsWith(size.get() + "-")) {
                    return Response.of(416, progress(location, id, size.get()), errorBody("BLOB_UPLOAD_INVALID",
                            "the chunk must start at " + size.get() + ", not " + range));
                }
                long now = storage.append(id, r.body());
                metrics.pushed(now - size.get());
                return Response.of(202, progress(location, id, now), new byte[0]);
            }
            case "PUT" -> {
                String digest = r.param("digest");
                if (digest == null || !Storage.DIGEST.matcher(digest).matches()) {
                    return error(400, "DIGEST_INVALID", "finish an upload with ?digest=sha256:…");
                }
                long now = storage.append(id, r.body());
                metrics.pushed(now - size.get());
                try {
                    storage.finishUpload(name, id, digest);
                } catch (Storage.DigestMismatch e) {
                    return error(400, "DIGEST_INVALID", String.valueOf(e.getMessage()));
                }
                return Response.of(201, Map.of("Location", "/v2/" + name + "/blobs/" + digest, "Docker-Content-Digest", digest), new byte[0]);
            }
            case "DELETE" -> {
                storage.cancelUpload(id);
                return Response.of(204, Map.of(), new byte[0]);
            }
            default -> {
                return error(405, "UNSUPPORTED", r.method() + " is not supported on uploads");
            }
        }
    }

    private static Map<String, String> progress(String location, String id, long size) {
        return Map.of("Location", location, "Docker-Upload-UUID", id, "Range", "0-" + Math.max(0, size - 1));
    }

    // ------------------------------------------------------------------ responses


    private static Response json(int status, Object body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json");
        try {
            return Response.of(status, headers, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response error(int status, String code, String message) {
        return Response.of(status, Map.of("Content-Type", "application/json"), errorBody(code, message));
    }

    private static byte[] errorBody(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").addObject().put("code", code).put("message", message).putNull("detail");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
