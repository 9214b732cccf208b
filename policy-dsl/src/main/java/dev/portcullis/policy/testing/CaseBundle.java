package dev.portcullis.policy.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.InvalidPolicyException;
import dev.portcullis.policy.PolicyDocument;
import dev.portcullis.policy.Subject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON case bundle: a policy (inline zot {@code accessControl}, or {@code policyFile} relative
 * to the bundle) and the cases to check against it.
 *
 * <pre>{@code
 * { "policy": { "repositories": { "**": { "anonymousPolicy": ["read"] } } },
 *   "cases": [ { "name": "anonymous pulls", "user": null, "repo": "team/app", "action": "read", "expect": "allow" },
 *              { "name": "ci pushes", "user": "ci", "groups": ["artifact-workloads"], "repo": "team/app",
 *                "action": "create", "expect": "allow" } ] }
 * }</pre>
 *
 * {@code action} is {@code read|create|update|delete|metrics|catalog}; {@code user: null} is anonymous.
 * {@code repo} is left out for {@code metrics}; {@code name} is optional and defaults to the case's JSON path.
 *
 * @param source the bundle file, as given to {@link #read(Path)}
 * @param policySource the file the policy came from: the bundle itself for an inline policy, else the
 *     {@code policyFile}
 * @param policy the policy the cases run against
 * @param cases the cases, in file order
 */
public record CaseBundle(String source, String policySource, AccessPolicy policy, List<PolicyCase> cases) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads the cases of a file and the policy they run against, as {@code portcullis-policy test} does: a JSON case
     * bundle ({@code .json}, see {@link #read(Path)}), a {@code .policy} file with its own test blocks, or a
     * {@code .policy} file that holds tests only ({@code policy "registry.policy"}), run against the file it names,
     * relative to itself.
     *
     * @param file the bundle or policy file
     * @return its cases and their policy; {@code policySource} is the file the policy came from
     * @throws InvalidPolicyException naming the file and what is wrong, also for a tests-only file that holds rules
     */
    public static CaseBundle load(Path file) {
        if (file.toString().endsWith(".json")) {
            return read(file);
        }
        PolicyDocument doc = PolicyDocument.parse(file);
        if (doc.policyReference().isEmpty()) {
            return new CaseBundle(file.toString(), file.toString(), doc.policy(), doc.cases());
        }
        String target = doc.policyReference().get();
        if (doc.hasRules()) {
            throw new InvalidPolicyException(file + ": a file with a 'policy' line holds tests only; move its rules into " + target);
        }
        Path policyFile = file.toAbsolutePath().resolveSibling(target);
        return new CaseBundle(file.toString(), policyFile.toString(), AccessPolicy.load(policyFile), doc.cases());
    }

    /**
     * Reads a case bundle and the policy it names.
     *
     * @param file the JSON bundle; a {@code policyFile} in it is resolved against the bundle's directory
     * @return the bundle, with its policy loaded and its cases checked
     * @throws InvalidPolicyException naming the file and the JSON path at fault; also when the file or the
     *     {@code policyFile} cannot be read or parsed
     */
    public static CaseBundle read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new InvalidPolicyException(file + ": malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidPolicyException(file + ": cannot read the case bundle: " + e, e);
        }
        if (root == null || !root.isObject()) {
            throw fail(file, "a case bundle must be a JSON object with \"policy\" (or \"policyFile\") and \"cases\"");
        }
        AccessPolicy policy;
        String policySource;
        JsonNode inline = root.get("policy");
        JsonNode reference = root.get("policyFile");
        if ((inline == null) == (reference == null)) {
            throw fail(file, "give exactly one of \"policy\" (a zot accessControl object) and \"policyFile\" (a path)");
        }
        if (inline != null) {
            try {
                policy = AccessPolicy.fromZotJson(inline.toString());
            } catch (InvalidPolicyException e) {
                throw fail(file, "policy." + e.getMessage());
            }
            policySource = file.toString();
        } else {
            if (!reference.isTextual()) {
                throw fail(file, "policyFile must be a string path, got " + reference);
            }
            Path policyFile = file.toAbsolutePath().resolveSibling(reference.textValue()).normalize();
            policy = AccessPolicy.load(policyFile);
            policySource = policyFile.toString();
        }
        JsonNode cases = root.get("cases");
        if (cases == null || !cases.isArray()) {
            throw fail(file, "\"cases\" must be an array of cases");
        }
        List<PolicyCase> out = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            out.add(parseCase(file, "cases[" + i + "]", cases.get(i)));
        }
        return new CaseBundle(file.toString(), policySource, policy, out);
    }

    private static PolicyCase parseCase(Path file, String path, JsonNode c) {
        if (!c.isObject()) {
            throw fail(file, path + " must be an object");
        }
        String name = c.hasNonNull("name") ? text(file, path + ".name", c.get("name")) : path;
        JsonNode user = c.get("user");
        if (user == null) {
            throw fail(file, path + ".user is missing; give a user name, or null for anonymous");
        }
        List<String> groups = new ArrayList<>();
        JsonNode g = c.get("groups");
        if (g != null && !g.isNull()) {
            if (!g.isArray()) {
                throw fail(file, path + ".groups must be an array of strings");
            }
            for (int k = 0; k < g.size(); k++) {
                groups.add(text(file, path + ".groups[" + k + "]", g.get(k)));
            }
        }
        Subject subject;
        if (user.isNull()) {
            if (!groups.isEmpty()) {
                throw fail(file, path + ": an anonymous case (user null) cannot have groups");
            }
            subject = Subject.anonymous();
        } else {
            String userName = text(file, path + ".user", user);
            if (userName.isEmpty()) {
                throw fail(file, path + ".user: an empty user name; zot gives it to anonymous callers, a case names them with null"
                        + " — write \"user\": null");
            }
            subject = Subject.user(userName, groups);
        }
        PolicyCase.Check check;
        try {
            check = PolicyCase.Check.parse(text(file, path + ".action", c.get("action")));
        } catch (IllegalArgumentException e) {
            throw fail(file, path + ".action: " + e.getMessage());
        }
        String repo = null;
        if (check != PolicyCase.Check.METRICS) {
            repo = text(file, path + ".repo", c.get("repo"));
        }
        String expect = text(file, path + ".expect", c.get("expect"));
        if (!expect.equals("allow") && !expect.equals("deny")) {
            throw fail(file, path + ".expect must be \"allow\" or \"deny\", got \"" + expect + "\"");
        }
        return new PolicyCase(name, file + " " + path, subject, check, repo, expect.equals("allow"));
    }

    private static String text(Path file, String path, JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw fail(file, path + " must be a string" + (node == null ? " and is missing" : ", got " + node));
        }
        return node.textValue();
    }

    private static InvalidPolicyException fail(Path file, String message) {
        return new InvalidPolicyException(file + ": " + message);
    }
}
