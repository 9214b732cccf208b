package dev.portcullis.auth;

import dev.portcullis.auth.routes.RequestTarget;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Subject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One request on its way through the pipeline's stages: what it presents, and what the stages found so far. */
final class RequestContext extends Presented {
    /**
     * What a stage answers when it would block where blocking is not allowed ({@link Portcullis#handleWithoutBlocking}):
     * the request is decided again where it is. Compared by identity; never leaves the pipeline.
     */
    static final Outcome.Respond NEEDS_BLOCKING = new Outcome.Respond(0, Map.of(), List.of(), "", new byte[0], Duration.ZERO);

    final boolean mayBlock;
    /** The decoded path, once {@link RequestGate} checked it; null before. */
    @Nullable String path;
    /** The checked target, once {@link RequestGate} checked it; null before. */
    @Nullable RequestTarget target;
    @Nullable Identity identity;
    private @Nullable Subject subject;
    /** The scope of a Bearer challenge for this request ({@code repository:NAME:pull,push}), once its route is known. */
    @Nullable String challengeScope;

    /** The policy this request is decided by, from start to end: a reload takes effect for the requests after it. */
    final AccessPolicy policy;

    RequestContext(HttpRequestView request, String client, @Nullable Connection connection, boolean mayBlock, AccessPolicy policy) {
        super(request, client, connection);
        this.mayBlock = mayBlock;
        this.policy = policy;
    }

    /** The caller as the policy sees it: anonymous, or the identity's subject (made once). */
    Subject subject() {
        Identity id = identity;
        if (id == null) {
            return Subject.anonymous();
        }
        Subject s = subject;
        if (s == null) {
            s = subject = id.subject();
        }
        return s;
    }

    void authenticated(Identity identity, Subject subject) {
        this.identity = identity;
        this.subject = subject;
    }

    /** The checked target; only after {@link RequestGate} passed the request. */
    RequestTarget target() {
        return Objects.requireNonNull(target, "the request gate sets the target");
    }

    /** The path for audit events and error bodies: the checked one, else the raw one. */
    String pathForAnswers() {
        return path != null ? path : request().rawPath();
    }
}
