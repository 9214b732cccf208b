package dev.portcullis.policy;

import dev.portcullis.policy.PolicyLexer.Token;
import dev.portcullis.policy.PolicyLexer.Type;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Parses the Portcullis policy language ({@code docs/policy-language.md}): rules, test blocks and the 'policy' line. */
final class PolicyParser {
    private static final List<String> STATEMENTS = List.of("repo", "group", "admin", "metrics", "test", "policy");
    static final String ADMIN_ANCHOR = "admin";
    static final String METRICS_ANCHOR = "metrics";

    /**
     * What a policy file says.
     *
     * @param source the name used in error messages, usually the file name
     * @param cases the expectations of every {@code test} block, in file order
     * @param policyReference the file named by {@code policy "…"}, whose rules the tests run against, or null
     * @param anchors statement start lines, keyed by {@link #repositoryAnchor}, {@link #groupAnchor}, {@link #ADMIN_ANCHOR},
     *     {@link #METRICS_ANCHOR}
     * @param hasRules whether the file declares any rule (group, repo, admin, metrics)
     */
    record Parsed(String source, PolicyRules rules, List<Case> cases, @Nullable String policyReference, Map<String, Integer> anchors,
                  boolean hasRules) {
        Parsed {
            cases = List.copyOf(cases);
            anchors = Map.copyOf(anchors);
        }
    }

    /**
     * One expectation of a {@code test} block, for one action and repository: the model of a
     * {@link dev.portcullis.policy.testing.PolicyCase}.
     *
     * @param action {@code READ} for {@link Question#METRICS} and {@link Question#CATALOG}, as in a {@link Decision}
     * @param repository null for {@link Question#METRICS}
     */
    record Case(String name, String location, Subject subject, Question question, @Nullable String repository, Action action,
                boolean expectAllowed) {
    }

    private final String source;
    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int p;

    private final Map<String, List<String>> groups = new LinkedHashMap<>();
    private final Map<String, RepositoryRule> rules = new LinkedHashMap<>();
    private final Map<String, Integer> anchors = new HashMap<>();
    private AdminPolicy admin = AdminPolicy.NONE;
    private @Nullable Token adminAt;
    private Set<Action> metricsAnonymous = Set.of();
    private List<String> metricsUsers = List.of();
    private @Nullable Token metricsAnonymousAt;
    private @Nullable Token metricsUsersAt;
    private final List<Case> cases = new ArrayList<>();
    private @Nullable String policyReference;
    private boolean hasRules;
    /** The behaviours the last {@link #actions()} read, and where the first was. */
    private Set<Behaviour> behaviours = Set.of();
    private @Nullable Token behavioursAt;

    PolicyParser(String source, String text) {
        this.source = source;
        this.text = text;
        // comments go; a line break after a comma or an opening bracket continues the statement
        for (Token t : PolicyLexer.tokenize(source, text)) {
            if (t.type() == Type.COMMENT) {
                continue;
            }
            if (t.type() == Type.NEWLINE && !tokens.isEmpty()) {
                Type previous = tokens.get(tokens.size() - 1).type();
                if (previous == Type.COMMA || previous == Type.LBRACKET) {
                    continue;
                }
            }
            tokens.add(t);
        }
    }

    static String repositoryAnchor(String pattern) {
        return "repo " + pattern;
    }

    static String groupAnchor(String group) {
        return "group " + group;
    }

    private InvalidPolicyException error(Token at, String message) {
        return PolicyLexer.error(source, text, at.line(), at.column(), message);
    }

    private Token peek() {
        return tokens.get(p);
    }

    private Token next() {
        return tokens.get(p++);
    }

    private void skipNewlines() {
        while (peek().type() == Type.NEWLINE) {
            p++;
        }
    }

    private Token expect(Type type, String what) {
        Token t = next();
        if (t.type() != type) {
            throw error(t, "expected " + what + ", found " + t.describe());
        }
        return t;
    }

    /** Skips blank lines; false (consuming the '}') at the block's end. */
    private boolean insideBlock(Token opening, String kind) {
        skipNewlines();
        Token t = peek();
        if (t.type() == Type.RBRACE) {
            p++;
            return false;
        }
        if (t.type() == Type.EOF) {
            throw error(opening, "this " + kind + " block is never closed; add '}'");
        }
        return true;
    }

    private void expectWord(String word, String context) {
        Token t = next();
        if (!t.is(word)) {
            throw error(t, "expected '" + word + "' " + context + ", found " + t.describe());
        }
    }

    private void endOfStatement() {
        Token t = peek();
        if (t.type() == Type.NEWLINE) {
            p++;
        } else if (t.type() != Type.EOF && t.type() != Type.RBRACE) {
            throw error(t, "expected the end of the line, found " + t.describe());
        }
    }

    Parsed document() {
        while (true) {
            skipNewlines();
            Token t = peek();
            if (t.type() == Type.EOF) {
                break;
            }
            if (t.type() != Type.WORD || !STATEMENTS.contains(t.text())) {
                String hint = t.type() == Type.WORD ? Spelling.closest(t.text(), STATEMENTS).map(s -> " — did you mean '" + s + "'?").orElse("") : "";
                throw error(t, "expected a statement (repo, group, admin, metrics, test or policy), found " + t.describe() + hint);
            }
            p++;
            switch (t.text()) {
                case "repo" -> repo(t);
                case "group" -> group();
                case "admin" -> admin(t);
                case "metrics" -> metrics(t);
                case "test" -> test();
                default -> policyReference(t);
            }
        }
        return new Parsed(source, new PolicyRules(true, groups, new ArrayList<>(rules.values()), admin,
                new MetricsPolicy(metricsUsers, metricsAnonymous)), cases, policyReference, anchors, hasRules);
    }

    private void policyReference(Token at) {
        Token file = next();
        if (!file.isName()) {
            throw error(file, "expected the policy file to test, as a string: policy \"registry.policy\"");
        }
        if (policyReference != null) {
            throw error(at, "only one 'policy' line is allowed: a file's tests run against one policy");
        }
        policyReference = file.value();
        endOfStatement();
    }

    private String name(String what) {
        Token t = next();
        if (!t.isName()) {
            throw error(t, "expected " + what + ", found " + t.describe());
        }
        return t.value();
    }

    private List<String> names(String what) {
        List<String> out = new ArrayList<>();
        out.add(name(what));
        while (peek().type() == Type.COMMA) {
            p++;
            out.add(name(what));
        }
        return out;
    }

    private List<String> userNames(EmptyUserName place) {
        List<String> out = new ArrayList<>();
        out.add(userName(place));
        while (peek().type() == Type.COMMA) {
            p++;
            out.add(userName(place));
        }
        return out;
    }

    /** A user name, never empty: zot would give "" to anonymous callers or to nobody, depending on the {@code place}. */
    private String userName(EmptyUserName place) {
        Token t = peek();
        String user = name("a user name");
        if (user.isEmpty()) {
            throw error(t, place.inPolicyLanguage());
        }
        return user;
    }

    private void group() {
        hasRules = true;
        Token at = peek();
        String group = name("a group name");
        expect(Type.COLON, "':' and the group's members (group ci: bot1, bot2)");
        List<String> members = peek().isName() ? userNames(EmptyUserName.GROUP) : List.of();
        if (groups.containsKey(group)) {
            throw error(at, "group '" + group + "' is already defined on line " + anchors.get(groupAnchor(group))
                    + "; list all its members on one line");
        }
        groups.put(group, members);
        anchors.put(groupAnchor(group), at.line());
        endOfStatement();
    }

    /**
     * A list of actions; zot's behaviours in it ({@code detectManifestCollision}) go to {@link #behaviours}, which only a
     * repo block's lines keep ({@link #noBehaviours} refuses them elsewhere).
     */
    private Set<Action> actions() {
        behaviours = EnumSet.noneOf(Behaviour.class);
        behavioursAt = null;
        Token first = peek();
        if (first.is("none")) {
            p++;
            return Set.of();
        }
        if (first.is("all")) {
            p++;
            return EnumSet.allOf(Action.class);
        }
        Set<Action> out = EnumSet.noneOf(Action.class);
        action(out);
        while (peek().type() == Type.COMMA) {
            p++;
            action(out);
        }
        return out;
    }

    private void action(Set<Action> out) {
        Token t = next();
        if (t.type() != Type.WORD) {
            throw error(t, "expected an action (read, create, update, delete), 'all' or 'none', found " + t.describe());
        }
        java.util.Optional<Behaviour> behaviour = Behaviour.named(t.text());
        if (behaviour.isPresent()) {
            behaviours.add(behaviour.get());
            behavioursAt = behavioursAt == null ? t : behavioursAt;
            return;
        }
        try {
            out.add(Action.parse(t.text()));
        } catch (IllegalArgumentException e) {
            throw error(t, String.valueOf(e.getMessage()));
        }
    }

    /** Refuses behaviours in the actions just read, where they cannot apply. */
    private void noBehaviours(String where) {
        Token at = behavioursAt;
        if (at != null) {
            throw error(at, at.text() + " is a behaviour of a repo block's users, groups, anonymous or authenticated callers; it does"
                    + " not apply to " + where + ": remove it here");
        }
    }

    /** {@code user a, b group c, d} — at least one of the two. */
    private PolicyEntry principals(String context, EmptyUserName place) {
        List<String> users = List.of();
        List<String> groupNames = List.of();
        if (peek().is("user") || peek().is("users")) {
            p++;
            users = userNames(place);
        }
        if (peek().is("group") || peek().is("groups")) {
            p++;
            groupNames = names("a group name");
        }
        if (users.isEmpty() && groupNames.isEmpty()) {
            throw error(peek(), "expected 'user' or 'group' " + context + ", found " + peek().describe());
        }
        // two constants, not a concatenation: the bootstrap of a concatenation whose text holds '…' reads it with
        // String.charAt as UTF-16, at every startup, and the JIT then keeps a UTF-16 branch in every loop over a
        // String's characters in the process: in the Netty hello server, header validation took 1 % more of each request
        expect(Type.COLON, users.isEmpty() ? "':' and the actions (group … : read, create)" : "':' and the actions (user … : read, create)");
        Set<Action> actions = actions();
        return new PolicyEntry(users, groupNames, actions, behaviours);
    }

    private void repo(Token at) {
        hasRules = true;
        Token patternToken = next();
        if (!patternToken.isName()) {
            throw error(patternToken, "expected the repository pattern in quotes: repo \"team/**\" {");
        }
        String pattern = patternToken.value();
        try {
            Glob.compile(pattern);
        } catch (IllegalArgumentException e) {
            throw error(patternToken, String.valueOf(e.getMessage()));
        }
        if (rules.containsKey(pattern)) {
            throw error(patternToken, "pattern \"" + pattern + "\" is already defined on line " + anchors.get(repositoryAnchor(pattern))
                    + "; merge the two repo blocks");
        }
        expect(Type.LBRACE, "'{' to open the repo block");
        List<PolicyEntry> entries = new ArrayList<>();
        Set<Action> anonymous = null;
        Set<Action> authenticated = null;
        Set<Behaviour> anonymousBehaviours = Set.of();
        Set<Behaviour> authenticatedBehaviours = Set.of();
        while (insideBlock(at, "repo")) {
            Token t = peek();
            if (t.is("anonymous") || t.is("authenticated")) {
                p++;
                expect(Type.COLON, "':' and the actions (" + t.text() + ": read)");
                Set<Action> actions = actions();
                if (t.is("anonymous")) {
                    if (anonymous != null) {
                        throw error(t, "'anonymous' is already given in this repo block; list all its actions on one line");
                    }
                    anonymous = actions;
                    anonymousBehaviours = behaviours;
                } else {
                    if (authenticated != null) {
                        throw error(t, "'authenticated' is already given in this repo block; list all its actions on one line");
                    }
                    authenticated = actions;
                    authenticatedBehaviours = behaviours;
                }
            } else if (t.is("user") || t.is("users") || t.is("group") || t.is("groups")) {
                entries.add(principals("in a repo block", EmptyUserName.REPOSITORY_POLICY));
            } else {
                throw error(t, "expected 'anonymous:', 'authenticated:', 'user …:' or 'group …:' inside a repo block, found "
                        + t.describe());
            }
            endOfStatement();
        }
        rules.put(pattern, new RepositoryRule(pattern, entries, authenticated == null ? Set.of() : authenticated,
                anonymous == null ? Set.of() : anonymous, authenticatedBehaviours, anonymousBehaviours));
        anchors.put(repositoryAnchor(pattern), at.line());
        endOfStatement();
    }

    private void admin(Token at) {
        hasRules = true;
        if (adminAt != null) {
            throw error(at, "admin is already given on line " + adminAt.line()
                    + "; zot's adminPolicy has one list of actions, so write one line: admin user … group …: actions");
        }
        adminAt = at;
        anchors.put(ADMIN_ANCHOR, at.line());
        PolicyEntry entry = principals("after 'admin'", EmptyUserName.ADMIN_POLICY);
        noBehaviours("admins, whom zot never applies it to");
        admin = new AdminPolicy(entry.users(), entry.groups(), entry.actions());
        endOfStatement();
    }

    private void metrics(Token at) {
        hasRules = true;
        anchors.putIfAbsent(METRICS_ANCHOR, at.line());
        Token t = next();
        if (t.is("anonymous")) {
            if (metricsAnonymousAt != null) {
                throw error(at, "'metrics anonymous' is already given on line " + metricsAnonymousAt.line());
            }
            metricsAnonymousAt = at;
            expect(Type.COLON, "':' and 'read' or 'none' (metrics anonymous: read)");
            metricsAnonymous = metricsActions();
        } else if (t.is("user") || t.is("users")) {
            if (metricsUsersAt != null) {
                throw error(at, "'metrics user' is already given on line " + metricsUsersAt.line() + "; list all users on one line");
            }
            metricsUsersAt = at;
            List<String> users = userNames(EmptyUserName.METRICS);
            expect(Type.COLON, "':' and 'read' (metrics user prometheus: read)");
            if (metricsActions().isEmpty()) {
                users = List.of();
            }
            metricsUsers = users;
        } else {
            throw error(t, "expected 'anonymous' or 'user' after 'metrics' (metrics anonymous: read, metrics user prometheus: read), found "
                    + t.describe());
        }
        endOfStatement();
    }

    private Set<Action> metricsActions() {
        Token t = peek();
        Set<Action> actions = actions();
        noBehaviours("metrics");
        if (!actions.isEmpty() && !actions.equals(Set.of(Action.READ))) {
            throw error(t, "metrics can only be read; write 'read' or 'none'");
        }
        return actions;
    }

    // -------------------------------------------------------------- tests

    private void test() {
        Token nameToken = next();
        if (!nameToken.isName()) {
            throw error(nameToken, "expected the test's name: test \"ci pushes new tags\" {");
        }
        String testName = nameToken.value();
        Token open = expect(Type.LBRACE, "'{' to open the test block");
        while (insideBlock(open, "test")) {
            expectation(testName);
            endOfStatement();
        }
        endOfStatement();
    }

    /** {@code user ci groups [a, b] can create, read on team/app} and friends. */
    private void expectation(String testName) {
        Token start = peek();
        Subject subject = subject();
        Token verb = next();
        if (!verb.is("can") && !verb.is("cannot")) {
            throw error(verb, "expected 'can' or 'cannot', found " + verb.describe());
        }
        boolean allowed = verb.is("can");
        String location = source + ":" + start.line();
        Token what = peek();
        if (what.is("read") && tokens.get(p + 1).is("metrics")) {
            p += 2;
            cases.add(new Case(testName, location, subject, Question.METRICS, null, Action.READ, allowed));
            return;
        }
        if (what.is("list")) {
            p++;
            for (String repo : names("a repository name")) {
                cases.add(new Case(testName, location, subject, Question.CATALOG, repo, Action.READ, allowed));
            }
            return;
        }
        behaviours = EnumSet.noneOf(Behaviour.class);
        behavioursAt = null;
        Set<Action> asked = new java.util.LinkedHashSet<>();
        action(asked);
        while (peek().type() == Type.COMMA) {
            p++;
            action(asked);
        }
        noBehaviours("a test's can or cannot, which checks actions");
        List<Action> actions = new ArrayList<>(asked);
        expectWord("on", "before the repositories (… can read on team/app)");
        for (String repo : names("a repository name")) {
            for (Action a : actions) {
                cases.add(new Case(testName, location, subject, Question.REPOSITORY, repo, a, allowed));
            }
        }
    }

    private Subject subject() {
        Token t = next();
        if (t.is("anonymous")) {
            return Subject.anonymous();
        }
        if (!t.is("user")) {
            throw error(t, "expected 'anonymous' or 'user NAME' to start an expectation, found " + t.describe());
        }
        Token named = peek();
        String user = name("a user name");
        if (user.isEmpty()) {
            throw error(named, "a user name must not be empty; write 'anonymous' for a caller without credentials");
        }
        List<String> userGroups = List.of();
        if (peek().is("groups")) {
            p++;
            expect(Type.LBRACKET, "'[' and the groups (groups [ci, devs])");
            userGroups = peek().type() == Type.RBRACKET ? List.of() : names("a group name");
            expect(Type.RBRACKET, "']' to close the group list");
        } else if (peek().is("group")) {
            p++;
            userGroups = List.of(name("a group name"));
        }
        return Subject.user(user, userGroups);
    }
}
