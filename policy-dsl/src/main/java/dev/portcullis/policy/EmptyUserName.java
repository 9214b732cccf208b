package dev.portcullis.policy;

/**
 * Where a policy can name a user, and what zot does there with the empty name {@code ""}: its
 * anonymous caller has that name, so a zot configuration may grant anonymous callers through a
 * {@code users} entry {@code ""}. Portcullis refuses the entry wherever it appears — a ported
 * configuration must not silently change meaning — and says what to write instead, in zot JSON
 * and in the policy language. A name of spaces is a literal name in both, and stays one.
 */
enum EmptyUserName {
    REPOSITORY_POLICY("zot gives such an entry to anonymous callers",
            "to grant anonymous callers, use anonymousPolicy",
            "to grant anonymous callers, write 'anonymous: read' (or other actions) in the repo block"),
    ADMIN_POLICY("zot makes anonymous callers admins with it",
            "anonymous callers can never be admins; remove it",
            "anonymous callers can never be admins; remove it"),
    METRICS("zot lets no caller read metrics with it (it judges anonymous callers by metrics.anonymousPolicy alone)",
            "to let anonymous callers read metrics, use metrics.anonymousPolicy",
            "to let anonymous callers read metrics, write 'metrics anonymous: read'"),
    GROUP("zot gives config groups to no anonymous caller, so the entry names nobody",
            "remove it (to grant anonymous callers, use a repository's anonymousPolicy)",
            "remove it (to grant anonymous callers, write 'anonymous: read' in a repo block)");

    private final String inZot;
    private final String fixInZotJson;
    private final String fixInPolicyLanguage;

    EmptyUserName(String inZot, String fixInZotJson, String fixInPolicyLanguage) {
        this.inZot = inZot;
        this.fixInZotJson = fixInZotJson;
        this.fixInPolicyLanguage = fixInPolicyLanguage;
    }

    String inZotJson() {
        return "an empty user name; " + inZot + ", Portcullis refuses it — " + fixInZotJson;
    }

    String inPolicyLanguage() {
        return "an empty user name; " + inZot + ", Portcullis refuses it — " + fixInPolicyLanguage;
    }
}
