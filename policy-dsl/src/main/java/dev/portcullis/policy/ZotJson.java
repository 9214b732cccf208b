package dev.portcullis.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes zot's {@code accessControl} JSON. Every error names the JSON path of the value
 * at fault, e.g. {@code repositories["infra/*"].policies[0].actions[1]}.
 */
final class ZotJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS) // one stray '}' would drop the rest
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** Jackson's "[Source: …; line: 1, column: 18]", which names no source here. */
    private static final java.util.regex.Pattern SOURCE_LOCATION =
            java.util.regex.Pattern.compile("\\[Source: [^;]*; line: (\\d+), column: (\\d+)\\]");
    private static final List<String> ACCESS_CONTROL_KEYS = List.of("groups", "repositories", "adminPolicy", "metrics");
    private static final List<String> RULE_KEYS = List.of("policies", "defaultPolicy", "anonymousPolicy");
    private static final List<String> POLICY_KEYS = List.of("users", "groups", "actions");
    private static final List<String> GROUP_KEYS = List.of("users");
    private static final List<String> METRICS_KEYS = List.of("users", "anonymousPolicy");

    private ZotJson() {
    }

    // ------------------------------------------------------------------ reading

    static PolicyRules read(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String problem = SOURCE_LOCATION.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
            if (problem.startsWith("Trailing token")) {
                problem = "more follows the end of the JSON object; remove it, or the '}' that closes the object too early";
            }
            if (problem.startsWith("Duplicate field ")) {
                problem = "key " + problem.substring("Duplicate field ".length()) + " appears twice in the same object; merge the two";
            }
            throw new InvalidPolicyException("malformed JSON" + where + ": " + problem);
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidPolicyException("the policy is empty; expected a JSON object (a zot accessControl object or a whole zot config)");
        }
        if (!root.isObject()) {
            throw new InvalidPolicyException("expected a JSON object (a zot accessControl object or a whole zot config), got " + describe(root));
        }
        if (root.has("http")) {
            JsonNode http = root.get("http");
            if (!http.isObject()) {
                throw new InvalidPolicyException("http must be an object, got " + describe(http));
            }
            // a whole zot config: an access control anywhere but at http.accessControl, so spelt, would be no policy at all
            for (String misplaced : List.of("accessControl", "groups", "repositories", "adminPolicy", "metrics")) {
                if (root.has(misplaced)) {
                    throw new InvalidPolicyException("'" + misplaced + "' beside 'http' at the top level: in a whole zot config the"
                            + " access control goes in http.accessControl; in an accessControl object, remove 'http'");
                }
            }
            http.fieldNames().forEachRemaining(k -> {
                if (!k.equals("accessControl") && Spelling.closest(k, List.of("accessControl")).isPresent()) {
                    throw new InvalidPolicyException("http." + k + ": did you mean http.accessControl? A misspelt access control would"
                            + " be no access control at all");
                }
            });
            JsonNode accessControl = http.get("accessControl");
            if (accessControl == null || accessControl.isNull()) {
                return PolicyRules.WITHOUT_ACCESS_CONTROL;
            }
            return accessControl(accessControl, "http.accessControl");
        }
        return accessControl(root, "");
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static PolicyRules accessControl(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new InvalidPolicyException((path.isEmpty() ? "accessControl" : path) + " must be an object, got " + describe(node));
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!ACCESS_CONTROL_KEYS.contains(key)) {
                String hint;
                if (key.contains("*") || key.contains("/") || node.get(key).has("policies")
                        || node.get(key).has("anonymousPolicy") || node.get(key).has("defaultPolicy")) {
                    hint = "it looks like a repository pattern: since zot 2.0, patterns go inside \"repositories\": {\"" + key + "\": {...}}";
                } else {
                    hint = unknownKeyHint(key, ACCESS_CONTROL_KEYS);
                }
                throw new InvalidPolicyException((path.isEmpty() ? "" : path + ": ") + "unknown accessControl key " + PolicyRules.quote(key) + "; " + hint);
            }
        }
        Map<String, List<String>> groups = new LinkedHashMap<>();
        JsonNode groupsNode = node.get("groups");
        String groupsPath = child(path, "groups");
        if (present(groupsNode)) {
            requireObject(groupsNode, groupsPath);
            groupsNode.fields().forEachRemaining(e -> {
                String groupPath = groupsPath + "[" + PolicyRules.quote(e.getKey()) + "]";
                requireObject(e.getValue(), groupPath);
                checkKeys(e.getValue(), groupPath, GROUP_KEYS, "group");
                groups.put(e.getKey(), strings(e.getValue().get("users"), groupPath + ".users"));
            });
        }
        List<RepositoryRule> rules = new ArrayList<>();
        JsonNode repos = node.get("repositories");
        String reposPath = child(path, "repositories");
        if (present(repos)) {
            requireObject(repos, reposPath);
            repos.fields().forEachRemaining(e -> rules.add(rule(e.getKey(), e.getValue(), path)));
        }
        AdminPolicy admin = AdminPolicy.NONE;
        JsonNode adminNode = node.get("adminPolicy");
        if (present(adminNode)) {
            String adminPath = child(path, "adminPolicy");
            requireObject(adminNode, adminPath);
            checkKeys(adminNode, adminPath, POLICY_KEYS, "adminPolicy");
            admin = new AdminPolicy(strings(adminNode.get("users"), adminPath + ".users"),
                    strings(adminNode.get("groups"), adminPath + ".groups"),
                    actions(adminNode.get("actions"), adminPath + ".actions", "admins, whom zot never applies it to"));
        }
        MetricsPolicy metrics = MetricsPolicy.NONE;
        JsonNode metricsNode = node.get("metrics");
        if (present(metricsNode)) {
            String metricsPath = child(path, "metrics");
            requireObject(metricsNode, metricsPath);
            checkKeys(metricsNode, metricsPath, METRICS_KEYS, "metrics");
            metrics = new MetricsPolicy(strings(metricsNode.get("users"), metricsPath + ".users"),
                    actions(metricsNode.get("anonymousPolicy"), metricsPath + ".anonymousPolicy", "metrics"));
        }
        try {
            return new PolicyRules(true, groups, rules, admin, metrics);
        } catch (InvalidPolicyException e) {
            throw new InvalidPolicyException(path.isEmpty() ? String.valueOf(e.getMessage()) : path + "." + e.getMessage(), e);
        }
    }

    private static RepositoryRule rule(String pattern, JsonNode node, String path) {
        String rulePath = child(path, PolicyRules.repositoryPath(pattern));
        requireObject(node, rulePath);
        checkKeys(node, rulePath, RULE_KEYS, "repository rule");
        List<PolicyEntry> policies = new ArrayList<>();
        JsonNode list = node.get("policies");
        if (present(list)) {
            if (!list.isArray()) {
                throw new InvalidPolicyException(rulePath + ".policies must be an array of {\"users\", \"groups\", \"actions\"} objects, got "
                        + describe(list));
            }
            for (int i = 0; i < list.size(); i++) {
                String p = rulePath + ".policies[" + i + "]";
                JsonNode entry = list.get(i);
                requireObject(entry, p);
                checkKeys(entry, p, POLICY_KEYS, "policy");
                policies.add(new PolicyEntry(strings(entry.get("users"), p + ".users"), strings(entry.get("groups"), p + ".groups"),
                        actions(entry.get("actions"), p + ".actions", null), behaviours(entry.get("actions"))));
            }
        }
        return new RepositoryRule(pattern, policies, actions(node.get("defaultPolicy"), rulePath + ".defaultPolicy", null),
                actions(node.get("anonymousPolicy"), rulePath + ".anonymousPolicy", null), behaviours(node.get("defaultPolicy")),
                behaviours(node.get("anonymousPolicy")));
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static void requireObject(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new InvalidPolicyException(path + " must be an object, got " + describe(node));
        }
    }

    private static void checkKeys(JsonNode node, String path, List<String> allowed, String what) {
        node.fieldNames().forEachRemaining(key -> {
            if (key.equals("conditions")) {
                throw new InvalidPolicyException(path + ".conditions: CEL conditions are not supported by Portcullis yet; remove them"
                        + " (a rule with conditions would otherwise grant more than intended)");
            }
            if (!allowed.contains(key)) {
                throw new InvalidPolicyException(path + "." + key + ": unknown " + what + " key '" + key + "'; "
                        + unknownKeyHint(key, allowed));
            }
        });
    }

    private static String unknownKeyHint(String key, List<String> allowed) {
        String valid = "valid keys are " + String.join(", ", allowed);
        return Spelling.closest(key, allowed).map(s -> "did you mean '" + s + "'? (" + valid + ")").orElse(valid);
    }

    private static List<String> strings(JsonNode node, String path) {
        if (!present(node)) {
            return List.of();
        }
        if (node.isTextual()) {
            throw new InvalidPolicyException(path + " must be an array of strings, got a string; write [" + node + "]");
        }
        if (!node.isArray()) {
            throw new InvalidPolicyException(path + " must be an array of strings, got " + describe(node));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new InvalidPolicyException(path + "[" + i + "] must be a string, got " + describe(item));
            }
            out.add(item.textValue());
        }
        return out;
    }

    /**
     * The actions of an actions array; its behaviours ({@link #behaviours}) are skipped where a repository's rule lists
     * them ({@code noBehavioursFor} null) and refused elsewhere, naming what they cannot apply to.
     */
    private static Set<Action> actions(JsonNode node, String path, @Nullable String noBehavioursFor) {
        if (!present(node)) {
            return Set.of();
        }
        if (!node.isArray()) {
            throw new InvalidPolicyException(path + " must be an array of actions (read, create, update, delete), got " + describe(node)
                    + (node.isTextual() ? "; write [" + node + "]" : ""));
        }
        Set<Action> out = EnumSet.noneOf(Action.class);
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new InvalidPolicyException(path + "[" + i + "] must be an action name (read, create, update, delete), got " + describe(item));
            }
            java.util.Optional<Behaviour> behaviour = Behaviour.named(item.textValue());
            if (behaviour.isPresent()) {
                if (noBehavioursFor != null) {
                    throw new InvalidPolicyException(path + "[" + i + "]: " + item.textValue() + " is a behaviour of a repository's rule (its"
                            + " policies, defaultPolicy or anonymousPolicy); it does not apply to " + noBehavioursFor + ": remove it here");
                }
                continue;
            }
            try {
                out.add(Action.parse(item.textValue()));
            } catch (IllegalArgumentException e) {
                throw new InvalidPolicyException(path + "[" + i + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The behaviours an actions array lists (its other words are {@link #actions}' to check). */
    private static Set<Behaviour> behaviours(@Nullable JsonNode node) {
        Set<Behaviour> out = EnumSet.noneOf(Behaviour.class);
        if (node != null && node.isArray()) {
            node.forEach(item -> Behaviour.named(item.asText()).ifPresent(out::add));
        }
        return out;
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        String type = switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
        return type + ": " + text;
    }

    // ------------------------------------------------------------------ writing

    static String write(PolicyRules rules) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        if (!rules.hasAccessControl()) {
            root.putObject("http");
            return toString(root);
        }
        if (!rules.groups().isEmpty()) {
            ObjectNode groups = root.putObject("groups");
            rules.groups().forEach((name, users) -> putStrings(groups.putObject(name), "users", users));
        }
        ObjectNode repos = root.putObject("repositories");
        for (RepositoryRule rule : rules.repositories()) {
            ObjectNode r = repos.putObject(rule.pattern());
            ArrayNode policies = r.putArray("policies");
            for (PolicyEntry p : rule.policies()) {
                ObjectNode e = policies.addObject();
                putStrings(e, "users", p.users());
                putStrings(e, "groups", p.groups());
                putActions(e, "actions", p.actions(), p.behaviours());
            }
            putActions(r, "defaultPolicy", rule.defaultPolicy(), rule.defaultBehaviours());
            putActions(r, "anonymousPolicy", rule.anonymousPolicy(), rule.anonymousBehaviours());
        }
        AdminPolicy admin = rules.adminPolicy();
        if (!admin.isEmpty()) {
            ObjectNode a = root.putObject("adminPolicy");
            putStrings(a, "users", admin.users());
            putStrings(a, "groups", admin.groups());
            putActions(a, "actions", admin.actions(), Set.of());
        }
        MetricsPolicy metrics = rules.metricsPolicy();
        if (!metrics.isEmpty()) {
            ObjectNode m = root.putObject("metrics");
            putStrings(m, "users", metrics.users());
            putActions(m, "anonymousPolicy", metrics.anonymousPolicy(), Set.of());
        }
        return toString(root);
    }

    private static void putStrings(ObjectNode node, String field, Collection<String> values) {
        ArrayNode array = node.putArray(field);
        values.forEach(array::add);
    }

    private static void putActions(ObjectNode node, String field, Set<Action> actions, Set<Behaviour> behaviours) {
        ArrayNode array = node.putArray(field);
        actions.stream().sorted().forEach(a -> array.add(a.configName()));
        behaviours.stream().sorted().forEach(b -> array.add(b.configName()));
    }

    private static String toString(ObjectNode root) {
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }
}
