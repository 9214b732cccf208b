package dev.portcullis.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.InvalidPolicyException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What reading one configuration file shares: the directory its relative paths start from, the warnings for the
 * operator, and readers of JSON values whose errors name the field and what to write.
 */
final class ConfigReader {
    /** Stricter than zot's reader, which keeps the last of a key given twice: that, or anything after the object, is an error. */
    static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** zot's fields of {@code http}; those Portcullis does not read are the server's (address, port, …). */
    static final List<String> HTTP_FIELDS = List.of("address", "port", "externalUrl", "realm", "tls", "auth", "accessControl",
            "ratelimit", "compat", "allowOrigin");

    private final Path base;
    final List<String> warnings = new ArrayList<>();

    ConfigReader(Path base) {
        this.base = base;
    }

    /**
     * A field this file does not know. In the {@code portcullis} section, in a provider's claim mapping (who the user
     * is), or spelt close to a field it knows (a misspelling, or another case), it is an error: ignored, it could change
     * who may do what. Elsewhere it is zot's business (or a newer zot's), ignored with a warning.
     */
    void unknownField(String path, String key, java.util.Collection<String> known) {
        String where = path.isEmpty() ? key : path + "." + key;
        if (path.isEmpty() && HTTP_FIELDS.stream().anyMatch(key::equalsIgnoreCase)) {
            throw new InvalidPolicyException("the field '" + key + "' belongs under http, as in zot: {\"http\": {\"" + key + "\": …}}");
        }
        java.util.Optional<String> meant = dev.portcullis.policy.Spelling.closest(key, known);
        if (meant.isPresent()) {
            throw new InvalidPolicyException("unknown field " + where + ": did you mean " + (path.isEmpty() ? "" : path + ".") + meant.get()
                    + "? A misspelt field is not ignored, since it could change who may do what");
        }
        if (path.startsWith("portcullis") || path.endsWith(".claimMapping")) { // ours, or who the user is
            throw new InvalidPolicyException("unknown field " + where + "; the fields of " + path + " are " + String.join(", ", known));
        }
        warnings.add(path.isEmpty() ? "unknown top-level field '" + key + "' is ignored" : "unknown field " + where + " is ignored");
    }

    /** A path relative to this file's directory; one the file system cannot hold (a NUL, say) is an error naming where. */
    Path path(String value, String field) {
        try {
            return base.resolve(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidPolicyException(field + " is not a valid path: " + e.getReason());
        }
    }

    /** {@code node} if it is an object, or missing (an empty object); else an error naming where. */
    static JsonNode object(JsonNode node, String path) {
        if (node == null || node.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!node.isObject()) {
            throw new InvalidPolicyException(path + " must be an object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return node;
    }

    static InvalidPolicyException unsupported(String field, String what) {
        return new InvalidPolicyException(field + ": " + what + " is not supported by Portcullis yet; remove " + field
                + " or run zot's own authentication for it");
    }

    String secret(String value, String field) {
        try {
            return Secrets.resolve(value, field, base);
        } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(String.valueOf(e.getMessage()));
        }
    }

    static String text(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new InvalidPolicyException(path + " must be a string");
        }
        return v.textValue();
    }

    static boolean bool(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null || !v.isBoolean()) {
            throw new InvalidPolicyException(path + " must be true or false");
        }
        return v.booleanValue();
    }

    static int integer(JsonNode node, String key, String path) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw new InvalidPolicyException(path + " must be a non-negative whole number");
        }
        return v.intValue();
    }

    /** A whole number of at least 1: where 0 would turn a defence off or make no sense. */
    static int positive(JsonNode node, String key, String path) {
        JsonNode v = node == null ? null : node.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw new InvalidPolicyException(path + " must be a whole number of at least 1");
        }
        return v.intValue();
    }

    static List<String> strings(JsonNode node, String path) {
        if (node == null || !node.isArray()) {
            throw new InvalidPolicyException(path + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        node.forEach(n -> {
            if (!n.isTextual()) {
                throw new InvalidPolicyException(path + "[" + out.size() + "] must be a string");
            }
            out.add(n.textValue());
        });
        return out;
    }
}
