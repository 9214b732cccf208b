package dev.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *            | foo          | true
            *            | foo/bar      | false
            **           | foo/bar/baz  | true
            **           | foo          | true
            a/**         | a            | true
            a/**         | a/b          | true
            a/**         | a/b/c        | true
            a/**         | ab           | false
            **/c         | c            | true
            **/c         | x/y/c        | true
            **/c         | xc           | false
            a/**/b       | a/b          | true
            a/**/b       | a/x/y/b      | true
            a/**/b       | ab           | false
            infra/*      | infra/x      | true
            infra/*      | infra        | false
            infra/*      | infra/x/y    | false
            abc**        | abcd         | true
            abc**        | abc/d        | false
            ***          | a/b          | false
            team-?       | team-1       | true
            team-?       | team-12      | false
            team?x       | team/x       | false
            [abc]/app    | b/app        | true
            [a-c]/app    | d/app        | false
            [^a]/app     | b/app        | true
            [!a]/app     | a/app        | false
            x[^a]y       | x/y          | false
            {a,b}/app    | b/app        | true
            {a,b}/app    | c/app        | false
            {a,{b,c}x}/y | cx/y         | true
            {a/b,c}/z    | a/b/z        | true
            a\\*b        | a*b          | true
            a\\*b        | axb          | false
            App          | app          | false
            app          | app          | true
            """)
    void doublestarSemantics(String pattern, String name, boolean expected) {
        assertThat(Glob.compile(pattern).matches(name)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            team/[ab         | invalid pattern 'team/[ab' at position 6: '[' is never closed; add the matching ']' or escape it as '\\['
            team/{a,b        | invalid pattern 'team/{a,b' at position 6: '{' is never closed; add the matching '}' or escape it as '\\{'
            x[]              | invalid pattern 'x[]' at position 2: empty character class '[]'; a class needs at least one character
            x[z-a]           | invalid pattern 'x[z-a]' at position 4: range 'z-a' is backwards and matches nothing; write the smaller character first
            x\\              | invalid pattern 'x\\' at position 2: a trailing '\\' escapes nothing; write '\\\\' for a literal backslash
            /team/*          | pattern '/team/*' starts with '/', but repository names never do, so it can never match; remove the leading '/'
            """)
    void invalidPatternsAreRejectedWithThePosition(String pattern, String message) {
        assertThatThrownBy(() -> Glob.compile(pattern)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0} has {1} bytes and {2} wildcards")
    @CsvSource(delimiter = '|', textBlock = """
            a/app          | 5  | 0
            {a,b,c,d}/**   | 12 | 3
            a\\*           | 3  | 0
            [*?]x          | 5  | 1
            dépôt/*        | 9  | 1
            """)
    void lengthIsBytesAndWildcardsAreCountedOutsideClasses(String pattern, int bytes, int wildcards) {
        Glob g = Glob.compile(pattern);
        assertThat(g.byteLength()).isEqualTo(bytes);
        assertThat(g.wildcards()).isEqualTo(wildcards);
    }

    @ParameterizedTest(name = "{0} has literal prefixes {1}")
    @CsvSource(delimiter = '|', textBlock = """
            team/app     | team/app
            team/*       | team/
            team/**      | team
            team/**/**   | team
            a/**/b       | a/
            {ab,cd}/x*   | ab/x;cd/x
            **           | ''
            """)
    void everyMatchingNameStartsWithALiteralPrefix(String pattern, String prefixes) {
        assertThat(String.join(";", Glob.compile(pattern).prefixes())).isEqualTo(prefixes);
    }

    // the decision's index and the matcher (which explanations and key scopes use) agree: secret, two globstars, governs "secret"
    @org.junit.jupiter.api.Test
    void theIndexFindsEveryPatternThatMatches() {
        assertThat(Glob.compile("secret/**/**").matches("secret")).isTrue();
        AccessPolicy policy = AccessPolicy.fromZotJson("""
                {"repositories": {"**": {"defaultPolicy": ["read", "delete"]},
                                  "secret/**/**": {"policies": [{"users": ["alice"], "actions": ["read"]}]}}}
                """);
        assertThat(policy.decide(Subject.user("bob"), "secret", Action.DELETE).allowed()).isFalse();
        assertThat(policy.decide(Subject.user("alice"), "secret", Action.READ).allowed()).isTrue();
    }

    @org.junit.jupiter.api.Test
    void bracesThatMultiplyOutBeyondTheLimitAreRejected() {
        String pattern = "{a,b,c,d}".repeat(6); // 4^6 = 4096 expansions
        assertThatThrownBy(() -> Glob.compile(pattern)).hasMessageContaining("multiply out to more than 1024 patterns");
    }

    /** A backtracking regular expression needs ~40 s for 240 characters here; the matcher must not. */
    @org.junit.jupiter.api.Test
    @org.junit.jupiter.api.Timeout(10)
    void hostileNamesCannotMakeAPatternBacktrackForever() {
        Glob g = Glob.compile("*-*-*-*-*-*-x/**/*-*-*-*-y");
        String name = "a-".repeat(5000);
        assertThat(g.matches(name)).isFalse();
        assertThat(g.matches(name + "x/" + "b/".repeat(500) + "a-b-c-d-y")).isTrue();
    }
}
