package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.policy.AccessPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** An authenticator and an endpoint of the application's, through the pipeline like the built-in ones. */
class ExtensionTest {
    /** Bearer tokens looked up in a directory that may block; remembered per connection once verified. */
    static final class DirectoryTokens implements Authenticator {
        final Map<String, String> owners = Map.of("t-alice", "alice");
        final AtomicInteger lookups = new AtomicInteger();

        @Override
        public Attempt cached(Presented presented) {
            if (!(presented.credentials() instanceof Credentials.Bearer bearer) || !bearer.token().startsWith("t-")) {
                return Attempt.NOT_MINE;
            }
            return presented.remembered() instanceof Attempt a && bearer.token().equals(presented.singleAuthorization().substring(7)) ? a
                    : Attempt.NEEDS_BLOCKING;
        }

        @Override
        public Attempt verify(Presented presented) {
            lookups.incrementAndGet();
            String owner = owners.get(((Credentials.Bearer) presented.credentials()).token());
            Attempt a = owner == null ? new Attempt.Failed("unknown directory token")
                    : new Attempt.Authenticated(new Identity(owner, List.of("team"), Identity.AuthMethod.OTHER, null, List.of()));
            presented.remember(a);
            return a;
        }
    }

    static final class WhoAmI implements Endpoint {
        @Override
        public boolean handles(String path) {
            return path.equals("/auth/whoami");
        }

        @Override
        public boolean authenticates() {
            return true;
        }

        @Override
        public Outcome.Respond handle(Call call) {
            call.audit("who am I");
            return call.identity() == null ? call.unauthorized("who am I needs credentials") : call.json(200, Map.of("user", call.identity().name()));
        }
    }

    private final DirectoryTokens tokens = new DirectoryTokens();
    private final List<AuthEvent> events = new java.util.ArrayList<>();
    private final Portcullis portcullis = Portcullis.builder()
            .policy(AccessPolicy.fromZotJson("{\"repositories\": {\"**\": {\"policies\": [{\"groups\": [\"team\"], \"actions\": [\"read\"]}]}}}"))
            .authenticator(tokens).endpoint(new WhoAmI()).listener(events::add).build();

    private static int status(Outcome o) {
        return o instanceof Outcome.Respond r ? r.status() : 200;
    }

    @Test
    void anApplicationsAuthenticatorDecidesItsCredentialsAndNothingElse() {
        TestRequest alice = TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer t-alice");
        assertThat(portcullis.handleWithoutBlocking(alice)).as("a directory look-up blocks").isEmpty();
        Outcome allowed = portcullis.handle(alice);
        assertThat(allowed).isInstanceOf(Outcome.Proceed.class);
        assertThat(((Outcome.Proceed) allowed).identity().method()).isEqualTo(Identity.AuthMethod.OTHER);
        assertThat(status(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer t-mallory")))).isEqualTo(401);
        assertThat(status(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer other")))).isEqualTo(401);
        assertThat(status(portcullis.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1")))).as("anonymous may not read").isEqualTo(401);
    }

    @Test
    void whatAnAuthenticatorRemembersStaysWithItsConnection() {
        TestRequest alice = TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer t-alice");
        Connection connection = portcullis.connection();
        assertThat(portcullis.handleWithoutBlocking(alice, connection)).isEmpty();
        assertThat(portcullis.handle(alice, connection)).isInstanceOf(Outcome.Proceed.class);
        assertThat(portcullis.handleWithoutBlocking(alice, connection)).as("decided from the connection's memory")
                .get().isInstanceOf(Outcome.Proceed.class);
        assertThat(portcullis.handleWithoutBlocking(alice, portcullis.connection())).as("another connection remembers nothing").isEmpty();
        assertThat(tokens.lookups).hasValue(1);
    }

    @Test
    void anApplicationsEndpointAnswersItsPathAfterTheCallerIsAuthenticated() {
        Outcome.Respond r = (Outcome.Respond) portcullis.handle(TestRequest.of("GET", "/auth/whoami", "Authorization: Bearer t-alice"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("{\"user\":\"alice\"}");
        assertThat(events).last().satisfies(e -> {
            assertThat(e.reason()).isEqualTo("who am I");
            assertThat(e.status()).isZero();
        });
        assertThat(((Outcome.Respond) portcullis.handle(TestRequest.of("GET", "/auth/whoami"))).status()).isEqualTo(401);
        assertThat(((Outcome.Respond) portcullis.handle(TestRequest.of("GET", "/auth/whoami", "Authorization: Bearer t-mallory"))).status())
                .as("bad credentials are the pipeline's to refuse").isEqualTo(401);
    }

    /** Claims bearer tokens starting with "x-", then answers verify with what the test says. */
    private static Portcullis behindAnAuthenticatorWhoseVerifyAnswers(Authenticator.Attempt answer) {
        Authenticator broken = new Authenticator() {
            @Override
            public Attempt cached(Presented presented) {
                return presented.credentials() instanceof Credentials.Bearer b && b.token().startsWith("x-") ? Attempt.NEEDS_BLOCKING
                        : Attempt.NOT_MINE;
            }

            @Override
            public Attempt verify(Presented presented) {
                return answer;
            }
        };
        return Portcullis.builder().policy(AccessPolicy.fromZotJson(
                "{\"repositories\": {\"**\": {\"anonymousPolicy\": [\"read\"], \"policies\": [{\"groups\": [\"team\"], \"actions\": [\"read\"]}]}}}"))
                .authenticator(broken).build();
    }

    @Test
    void anAuthenticatorThatAnswersNothingFromVerifyLetsNobodyIn() {
        TestRequest request = TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer x-token");
        for (Authenticator.Attempt broken : new Authenticator.Attempt[] {null, Authenticator.Attempt.NEEDS_BLOCKING}) {
            Outcome o = behindAnAuthenticatorWhoseVerifyAnswers(broken).handle(request);
            assertThat(status(o)).as("verify answered %s: not anonymous, not in", broken).isEqualTo(503);
        }
    }

    @Test
    void credentialsClaimedAndThenDisownedAreNobodysAndSoRefused() {
        Portcullis p = behindAnAuthenticatorWhoseVerifyAnswers(Authenticator.Attempt.NOT_MINE);
        assertThat(status(p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1", "Authorization: Bearer x-token"))))
                .as("credentials nobody vouches for are refused, even where anonymous may read").isEqualTo(401);
        assertThat(status(p.handle(TestRequest.of("GET", "/v2/team/app/manifests/v1")))).isEqualTo(200);
    }
}
