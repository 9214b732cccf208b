package dev.portcullis.auth;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.Route;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Behaviour;
import dev.portcullis.policy.Decision;
import dev.portcullis.policy.Subject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the authenticated (or anonymous) caller may do on the route: the policy's decisions, narrowed by an API key's
 * scopes; for a write, create or update as the application's {@link ExistenceLookup} says, only when the two differ, and
 * then with the condition the write is allowed under; mount sources the caller may not read; metrics and the catalog.
 */
final class AuthorizationStage {
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationStage.class);
    private final @Nullable ExistenceLookup existence;
    private final Refusals refusals;

    AuthorizationStage(@Nullable ExistenceLookup existence, Refusals refusals) {
        this.existence = existence;
        this.refusals = refusals;
    }

    /** The repositories of a catalog the caller may see: the policy's catalog rule, narrowed by an API key's scopes. */
    static List<String> filterCatalog(AccessPolicy policy, @Nullable Identity identity, Collection<String> repositories) {
        if (identity != null && identity.method() == Identity.AuthMethod.EXTERNAL_TOKEN) {
            return repositories.stream().filter(r -> identity.scopesPermit(r, Action.READ)).toList(); // the token decides, as in zot
        }
        List<String> visible = policy.filterCatalog(identity == null ? Subject.anonymous() : identity.subject(), repositories);
        if (identity == null || !identity.narrowed()) {
            return visible;
        }
        return visible.stream().filter(r -> identity.scopesPermit(r, Action.READ)).toList();
    }

    /** Decides a route that needs the caller (metrics, catalog, repository checks); {@link RequestContext#NEEDS_BLOCKING} possible. */
    Outcome authorize(RequestContext ctx, Route route) {
        if (route instanceof Route.Metrics) {
            Decision d = ctx.policy.decideMetrics(ctx.subject());
            if (d.allowed() && ctx.identity != null && ctx.identity.narrowed()) {
                // scopes name repositories; a key restricted to some of them is not a metrics credential
                return refusals.deny(ctx, null, Action.READ, d);
            }
            return d.allowed() ? proceed(ctx, route, Set.of(), List.of(), null, null, d) : refusals.deny(ctx, null, Action.READ, d);
        }
        if (route instanceof Route.Catalog) {
            return proceed(ctx, route, Set.of(), List.of(), null, null, null);
        }
        return authorize(ctx, (Route.Protected) route);
    }

    private Outcome authorize(RequestContext ctx, Route.Protected route) {
        Subject subject = ctx.subject();
        Set<String> deniedMounts = Set.of(); // a set of its own only when a mount is denied
        List<WriteCondition> conditions = List.of(); // a list of its own only for a write allowed under a condition
        Decision last = null;
        Route.Check lastCheck = null;
        Action lastAction = null;
        for (Route.Check check : route.checks()) {
            Action action;
            if (check instanceof Route.Requires r) {
                action = r.action();
            } else if (check instanceof Route.MountsFrom m) {
                if (!allowed(ctx, ctx.policy.decide(subject, m.repository(), Action.READ), m.repository(), Action.READ)) {
                    if (deniedMounts.isEmpty()) {
                        deniedMounts = new HashSet<>();
                    }
                    deniedMounts.add(m.repository());
                }
                continue;
            } else if (check instanceof Route.Adds a) {
                Decision create = ctx.policy.decide(subject, a.repository(), Action.CREATE);
                Decision update = ctx.policy.decide(subject, a.repository(), Action.UPDATE);
                boolean mayCreate = allowed(ctx, create, a.repository(), Action.CREATE);
                if (!allowed(ctx, update, a.repository(), Action.UPDATE)) {
                    if (!mayCreate) {
                        return refusals.deny(ctx, a.repository(), Action.CREATE, create);
                    }
                    // adding is creating; changing or dropping what is listed is updating: the application compares at commit
                    if (conditions.isEmpty()) {
                        conditions = new ArrayList<>();
                    }
                    conditions.add(new WriteCondition(a.repository(), a.target(), WriteCondition.Expect.ONLY_ADDS,
                            () -> refusals.deny(ctx, a.repository(), Action.UPDATE, update,
                                    "'" + a.target() + "' would change or drop what it lists, which needs update: ")));
                }
                last = mayCreate ? create : update; // both decided above: nothing to ask the policy again
                lastCheck = check;
                lastAction = mayCreate ? Action.CREATE : Action.UPDATE;
                continue;
            } else {
                Route.Writes w = (Route.Writes) check;
                Decision create = ctx.policy.decide(subject, w.repository(), Action.CREATE);
                Decision update = ctx.policy.decide(subject, w.repository(), Action.UPDATE);
                boolean mayCreate = allowed(ctx, create, w.repository(), Action.CREATE);
                boolean mayUpdate = allowed(ctx, update, w.repository(), Action.UPDATE);
                if (mayCreate == mayUpdate) {
                    // whether the tag exists cannot change the answer: no lookup needed
                    if (!mayCreate) {
                        return refusals.deny(ctx, w.repository(), Action.CREATE, create);
                    }
                    last = create;
                    lastCheck = check;
                    lastAction = Action.CREATE;
                    continue;
                }
                if (!ctx.mayBlock) {
                    return RequestContext.NEEDS_BLOCKING; // the application's lookup may block
                }
                if (existence == null) {
                    LOG.error("no ExistenceLookup configured: cannot tell create from update for {} {}", w.repository(), w.tag());
                    return refusals.reject(ctx, w.repository(), 500, "UNKNOWN", "cannot tell whether '" + w.tag() + "' exists");
                }
                try {
                    action = existence.exists(w.repository(), w.tag()) ? Action.UPDATE : Action.CREATE;
                } catch (java.io.IOException | RuntimeException e) {
                    LOG.error("existence lookup failed for {} {}: {}", w.repository(), w.tag(), e.toString());
                    return refusals.reject(ctx, w.repository(), 500, "UNKNOWN", "cannot tell whether '" + w.tag() + "' exists; refusing to guess");
                }
                if (action == Action.CREATE ? mayCreate : mayUpdate) {
                    // allowed only because of what exists now: the application writes after the body, and must find it so then
                    if (conditions.isEmpty()) {
                        conditions = new ArrayList<>();
                    }
                    conditions.add(writeCondition(ctx, w, action == Action.CREATE ? update : create));
                }
            }
            Decision d = ctx.policy.decide(subject, check.repository(), action);
            if (!allowed(ctx, d, check.repository(), action)) {
                return refusals.deny(ctx, check.repository(), action, d);
            }
            last = d;
            lastCheck = check;
            lastAction = action;
        }
        return proceed(ctx, route, deniedMounts, conditions, lastCheck == null ? null : lastCheck.repository(), lastAction, last);
    }

    /**
     * The condition of a write allowed as {@code create} because its target was absent (or as {@code update} because it
     * existed), and the answer for it when the target changed before the commit: the denial of the other action.
     */
    private WriteCondition writeCondition(RequestContext ctx, Route.Writes w, Decision other) {
        boolean create = other.action() == Action.UPDATE;
        WriteCondition.Expect expect = create ? WriteCondition.Expect.ABSENT : WriteCondition.Expect.PRESENT;
        String change = create ? "was created" : "was deleted";
        return new WriteCondition(w.repository(), w.tag(), expect, () -> refusals.deny(ctx, w.repository(), other.action(), other,
                "'" + w.tag() + "' " + change + " after the request was allowed, before it committed: "));
    }

    /** The policy's decision, narrowed by an API key's scopes or a registry token's grants. */
    private static boolean allowed(RequestContext ctx, Decision d, String repository, Action action) {
        Identity id = ctx.identity;
        if (id != null && id.method() == Identity.AuthMethod.EXTERNAL_TOKEN) {
            return id.scopesPermit(repository, action); // the token server decided, as in zot
        }
        return d.allowed() && (id == null || id.scopesPermit(repository, action));
    }

    private Outcome proceed(RequestContext ctx, Route route, Set<String> deniedMounts, List<WriteCondition> conditions,
            @Nullable String repository, @Nullable Action action, @Nullable Decision d) {
        refusals.allowed(ctx, repository, action, d);
        Set<Behaviour> behaviours = Set.of();
        if (repository != null && ctx.request().method().equals("DELETE")) {
            if (ctx.policy.behaves(ctx.subject(), repository, Behaviour.DETECT_MANIFEST_COLLISION)) {
                behaviours = Set.of(Behaviour.DETECT_MANIFEST_COLLISION);
            }
        }
        return new Outcome.Proceed(ctx.identity, route, deniedMounts, Map.of(), conditions, behaviours, ctx.policy);
    }
}
