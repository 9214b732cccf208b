package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.policy.Action;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeyServiceTest {
    /** Cheap parameters so that tests hash quickly; one test uses the defaults. */
    static final Argon2Hasher FAST = new Argon2Hasher(256, 1, 1);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T10:00:00Z"));
    private final ControllableStore store = new ControllableStore(new InMemoryApiKeyStore());
    private final List<ApiKeyService> services = new ArrayList<>();

    private ApiKeyService service(ApiKeyService.Builder b) {
        ApiKeyService s = b.build();
        services.add(s);
        return s;
    }

    private ApiKeyService service() {
        return service(ApiKeyService.builder(store).hasher(FAST).clock(clock));
    }

    @AfterEach
    void closeAll() {
        services.forEach(ApiKeyService::close);
    }

    private static ApiKeyService.KeyRequest request(String owner, Instant expiresAt, Scope... scopes) {
        return new ApiKeyService.KeyRequest(owner, List.of("artifact-workloads"), "ci", List.of(scopes), expiresAt, "test");
    }

    @Test
    void aCreatedKeyVerifiesOnceWithArgon2AndThenFromTheCache() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        long afterCreate = keys.argon2Computations();
        assertThat(afterCreate).isEqualTo(1);
        KeyVerification first = keys.verify(created.token());
        assertThat(first).isEqualTo(new KeyVerification.Valid(created.key(), List.of("artifact-workloads")));
        assertThat(keys.argon2Computations()).isEqualTo(2);
        for (int i = 0; i < 100; i++) {
            assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        }
        assertThat(keys.argon2Computations()).isEqualTo(2);
        assertThat(keys.verifyCached(created.token())).contains(first);
    }

    @Test
    void closeWaitsForTheMaintenanceWorkUnderWayInTheStore() throws Exception {
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).eventPollInterval(Duration.ofMillis(10)));
        CountDownLatch polling = new CountDownLatch(1);
        store.pollHeld = polling;
        assertThat(polling.await(10, TimeUnit.SECONDS)).isTrue();
        keys.close();
        // when a servlet container stops an application, it looks for the application's threads right after
        assertThat(store.pollFinished).as("the poll that was in the store when close began").isTrue();
    }

    @Test
    void parallelRequestsWithOneUncachedTokenShareOneArgon2() throws Exception {
        ApiKeyService keys = service();
        String token = keys.create(request("ci", null)).token();
        store.findGate = new CountDownLatch(1);
        KeyVerification[] results = new KeyVerification[8];
        Thread[] threads = new Thread[results.length];
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = new Thread(() -> results[n] = keys.verify(token));
        }
        threads[0].start();
        awaitUntil(() -> store.findsHeld.get() == 1); // the first is in the store, before its Argon2
        for (int i = 1; i < threads.length; i++) {
            threads[i].start();
        }
        for (int i = 1; i < threads.length; i++) {
            Thread t = threads[i];
            awaitUntil(() -> t.getState() == Thread.State.WAITING); // parked on the first one's result, or on the gate
        }
        store.findGate.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(KeyVerification.Valid.class));
        assertThat(store.findsHeld.get()).as("store look-ups").isEqualTo(1);
        assertThat(keys.argon2Computations()).as("one creation, one verification for all eight").isEqualTo(2);
    }

    @Test
    void aKeyRevokedWhileItsVerificationIsUnderWayIsNotLeftInTheCache() throws Exception {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        store.heldAfterRead = new CountDownLatch(1);
        KeyVerification[] result = new KeyVerification[1];
        Thread verifying = new Thread(() -> result[0] = keys.verify(created.token()));
        verifying.start();
        awaitUntil(() -> store.findsHeld.get() == 1); // it read the key before the revocation
        assertThat(keys.revoke(created.key().id())).isTrue();
        store.heldAfterRead.countDown();
        verifying.join();
        assertThat(result[0]).as("concurrent with the revocation, either answer stands").isNotNull();
        assertThat(keys.verifyCached(created.token())).as("but it is not kept for later requests").isEmpty();
        store.heldAfterRead = null;
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
    }

    @Test
    void aRevocationOfAnotherKeyMeanwhileDoesNotKeepAVerificationFromTheCache() throws Exception {
        // else anyone revoking a key of their own in a loop would keep every key from being cached (an Argon2 per request)
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey mine = keys.create(request("ci", null));
        ApiKeyService.CreatedKey theirs = keys.create(request("mallory", null));
        store.heldAfterRead = new CountDownLatch(1);
        Thread verifying = new Thread(() -> keys.verify(mine.token()));
        verifying.start();
        awaitUntil(() -> store.findsHeld.get() == 1);
        keys.revoke(theirs.key().id());
        store.heldAfterRead.countDown();
        verifying.join();
        store.heldAfterRead = null;
        assertThat(keys.verifyCached(mine.token())).get().isInstanceOf(KeyVerification.Valid.class);
    }

    @Test
    void aKeyFoundRevokedOrExpiredNoLongerPassesTheFailureLimit() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey revoked = keys.create(request("ci", null));
        ApiKeyService.CreatedKey expiring = keys.create(request("ci", clock.instant().plus(Duration.ofHours(1))));
        assertThat(keys.verify(revoked.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.verify(expiring.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.verifiedBefore(revoked.token())).isTrue();
        keys.revoke(revoked.key().id());
        clock.advance(Duration.ofHours(2));
        assertThat(keys.verify(revoked.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
        assertThat(keys.verify(expiring.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
        // else every request with it would be one more store look-up, past the limit that holds back an address's failures
        assertThat(keys.verifiedBefore(revoked.token())).isFalse();
        assertThat(keys.verifiedBefore(expiring.token())).isFalse();
    }

    private static void awaitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aVerificationOlderThanTheCacheTtlIsNotTrusted() {
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.verifyCached(created.token())).as("expired at once").isEmpty();
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.argon2Computations()).as("one creation and two verifications, none from the cache").isEqualTo(3);
    }

    private static String basicHeader(String user, String token) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + token).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * How a presentation is asked for: alone, or on a connection with its memory, which must answer exactly the same
     * (each test asks one memory throughout, as one connection would).
     */
    private static Function<String, Optional<KeyVerification>> asker(ApiKeyService keys, boolean connectionMemory) {
        if (!connectionMemory) {
            return keys::verifyCachedPresentation;
        }
        ApiKeyService.PresentationMemory memory = keys.presentationMemory();
        return presentation -> keys.verifyCachedPresentation(presentation, memory);
    }

    @ParameterizedTest(name = "connection memory: {0}")
    @ValueSource(booleans = {false, true})
    void aRememberedPresentationAnswersAsItsTokensCacheEntryDoes(boolean connectionMemory) {
        ApiKeyService keys = service();
        Function<String, Optional<KeyVerification>> cached = asker(keys, connectionMemory);
        ApiKeyService.CreatedKey created = keys.create(request("ci", clock.instant().plus(Duration.ofHours(1))));
        String header = basicHeader("ci", created.token());
        assertThat(cached.apply(header)).as("never remembered").isEmpty();
        keys.rememberPresentation(header, created.token());
        assertThat(cached.apply(header)).as("remembered before its token verified: not kept").isEmpty();

        KeyVerification valid = keys.verify(created.token());
        keys.rememberPresentation(header, created.token());
        assertThat(cached.apply(header)).contains(valid);
        assertThat(cached.apply(header)).as("again").contains(valid);
        assertThat(cached.apply(header + " ")).as("any other text").isEmpty();
        assertThat(cached.apply(header)).contains(valid);
        assertThat(cached.apply(basicHeader("ops", created.token()))).as("another user, same key").isEmpty();

        ApiKeyService.CreatedKey other = keys.create(request("ci", null));
        keys.verify(other.token());
        keys.revoke(other.key().id());
        assertThat(cached.apply(header)).as("another key's revocation leaves it").contains(valid);

        keys.recordLogin("ci", List.of("admins"));
        assertThat(cached.apply(header)).as("the owner's new groups withdrew the entry").isEmpty();
        KeyVerification regrouped = keys.verify(created.token());
        assertThat(cached.apply(header)).as("the token's new entry is not the withdrawn one").isEmpty();
        keys.rememberPresentation(header, created.token());
        assertThat(cached.apply(header)).as("remembered again").contains(regrouped);

        clock.advance(Duration.ofHours(1));
        assertThat(cached.apply(header)).contains(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
        assertThat(keys.argon2Computations()).as("two creations, three verifications").isEqualTo(5);
    }

    @ParameterizedTest(name = "connection memory: {0}")
    @ValueSource(booleans = {false, true})
    void aRememberedPresentationEndsWithItsKeysRevocationAndTheCachesTtl(boolean connectionMemory) {
        ApiKeyService keys = service();
        Function<String, Optional<KeyVerification>> cached = asker(keys, connectionMemory);
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        String header = basicHeader("ci", created.token());
        keys.verify(created.token());
        keys.rememberPresentation(header, created.token());
        assertThat(cached.apply(header)).isPresent();
        keys.revoke(created.key().id());
        assertThat(cached.apply(header)).isEmpty();
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));

        ApiKeyService brief = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        ApiKeyService.CreatedKey second = brief.create(request("ci", null));
        brief.verify(second.token());
        brief.rememberPresentation(basicHeader("ci", second.token()), second.token());
        assertThat(asker(brief, connectionMemory).apply(basicHeader("ci", second.token()))).as("past the TTL at once").isEmpty();
    }

    @Test
    void aConnectionMemoryOfAnEntryTheCacheEvictedEndsWithTheKeysRevocation() {
        // a revocation marks the entries it finds in the cache; one evicted before is not there to be marked
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ofMinutes(5), 1));
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        String header = basicHeader("ci", created.token());
        keys.verify(created.token());
        keys.rememberPresentation(header, created.token());
        Function<String, Optional<KeyVerification>> cached = asker(keys, true);
        assertThat(cached.apply(header)).isPresent();
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            others.add(keys.create(request("ops", null)).token());
        }
        awaitUntil(() -> {
            others.forEach(keys::verify); // used more often than the remembered key: the cache keeps them instead
            return keys.verifyCached(created.token()).isEmpty() && keys.verifyCachedPresentation(header).isEmpty();
        });
        assertThat(cached.apply(header)).as("evicted, but still remembered by the connection").isPresent();
        keys.revoke(created.key().id());
        assertThat(cached.apply(header)).isEmpty();
    }

    @Test
    void aConnectionMemoryNeverMistakesCharactersOutsideIso88591ForTheQuestionMarkTheyBecome() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        keys.verify(created.token());
        String withQuestionMark = "Custom ?" + created.token();
        keys.rememberPresentation(withQuestionMark, created.token());
        Function<String, Optional<KeyVerification>> cached = asker(keys, true);
        assertThat(cached.apply(withQuestionMark)).isPresent();
        assertThat(cached.apply(withQuestionMark)).isPresent();
        // as ISO-8859-1 bytes, the same as the remembered text
        assertThat(cached.apply("Custom \u0100" + created.token())).isEmpty();

        String outsideIso88591 = "Custom \u0100" + created.token();
        keys.rememberPresentation(outsideIso88591, created.token());
        assertThat(cached.apply(outsideIso88591)).isPresent();
        assertThat(cached.apply(outsideIso88591)).isPresent();
        assertThat(cached.apply("Custom \u0101" + created.token())).as("another such character, the same bytes").isEmpty();
    }

    @Test
    void theStoreHoldsOnlyAnArgon2idHashUnderTheDefaultParameters() {
        ApiKeyService keys = service(ApiKeyService.builder(store).clock(clock));
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        String hash = store.find(created.key().id()).orElseThrow().hash();
        assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
        String secret = created.token().substring(4 + 11 + 1, created.token().length() - 6);
        assertThat(hash).doesNotContain(secret);
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
    }

    @Test
    void aKeyThatVerifiedLatelyIsNotLockedOutByAFloodOnceItLeftTheCache() {
        // nothing is cached: the real key's next use is verified again, under the flood on its public id
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        KeyFormat format = new KeyFormat("pck_");
        for (int i = 0; i < 20; i++) {
            keys.verify(forge(format, created.key().id()));
        }
        assertThat(keys.verify(forge(format, created.key().id()))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
    }

    @Test
    void malformedTokensAreRejectedWithoutTheStoreOrArgon2() {
        ApiKeyService keys = service();
        String token = keys.create(request("ci", null)).token();
        int storeCalls = store.calls.get();
        long hashes = keys.argon2Computations();
        String typo = token.substring(0, 20) + (token.charAt(20) == 'x' ? 'y' : 'x') + token.substring(21);
        for (String bad : List.of(typo, token.substring(1), "password", "", token + "x")) {
            assertThat(keys.verify(bad)).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.MALFORMED));
        }
        assertThat(store.calls.get()).isEqualTo(storeCalls);
        assertThat(keys.argon2Computations()).isEqualTo(hashes);
    }

    @Test
    void unknownKeyIdsAreRejectedWithoutArgon2AndMostlyWithoutTheStore() {
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).unknownIdLookupsPerSecond(1));
        KeyFormat other = new KeyFormat("pck_");
        int storeCalls = store.calls.get();
        for (int i = 0; i < 50; i++) {
            assertThat(keys.verify(other.generate().value())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.UNKNOWN_KEY));
        }
        assertThat(keys.argon2Computations()).isZero();
        assertThat(store.calls.get() - storeCalls).as("store look-ups for ids outside the index are rate-limited").isLessThanOrEqualTo(2);
    }

    @Test
    void aKeyCreatedByAnotherNodeIsFoundBeforeTheIndexCatchesUp() {
        ApiKeyService here = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).eventPollInterval(Duration.ofHours(1)));
        ApiKeyService elsewhere = service();
        String token = elsewhere.create(request("ci", null)).token();
        assertThat(here.verify(token)).isInstanceOf(KeyVerification.Valid.class);
    }

    /** A key stored before fingerprints: the failures for its id are throttled, its right secret with them (it has not verified lately). */
    @Test
    void wrongSecretsForAKeyWithoutFingerprintAreCachedThenThrottledPerKeyId() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = withoutFingerprint(keys.create(request("ci", null)));
        String id = created.key().id();
        KeyFormat format = new KeyFormat("pck_");
        long before = keys.argon2Computations();
        String wrong = forge(format, id);
        assertThat(keys.verify(wrong)).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        assertThat(keys.verify(wrong)).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.RECENTLY_FAILED));
        assertThat(keys.argon2Computations()).isEqualTo(before + 1);
        for (int i = 0; i < 4; i++) {
            assertThat(keys.verify(forge(format, id))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        }
        assertThat(keys.verify(forge(format, id))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.THROTTLED));
        assertThat(keys.argon2Computations()).isEqualTo(before + 5);
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.THROTTLED));
    }

    /**
     * The id is public: a flood of wrong secrets for it is told from the right one by the key's fingerprint, without
     * Argon2 and, once the fingerprint is known, without the store — and the right secret always passes.
     */
    @Test
    void wrongSecretsForAKeyIdCostNoArgon2AndNeverLockItsOwnerOut() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        KeyFormat format = new KeyFormat("pck_");
        long hashes = keys.argon2Computations();
        assertThat(keys.verify(forge(format, created.key().id()))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        int storeCalls = store.calls.get();
        for (int i = 0; i < 1_000; i++) {
            assertThat(keys.verify(forge(format, created.key().id()))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        }
        assertThat(keys.argon2Computations()).as("no Argon2 for a secret outside the fingerprint").isEqualTo(hashes);
        assertThat(store.calls.get()).as("nor the store, once the fingerprint is known").isEqualTo(storeCalls);
        assertThat(keys.fitsFingerprint(created.token())).isTrue();
        assertThat(keys.fitsFingerprint(forge(format, created.key().id()))).isFalse();
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.argon2Computations()).isEqualTo(hashes + 1);
    }

    /** After a restart, for a key never used before: the flood on its id from the new service costs nothing and locks out nobody. */
    @Test
    void aKeyNeverUsedIsNotLockedOutByAFloodAfterARestart() {
        ApiKeyService.CreatedKey created = service().create(request("ci", null));
        ApiKeyService restarted = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        KeyFormat format = new KeyFormat("pck_");
        for (int i = 0; i < 50; i++) {
            assertThat(restarted.verify(forge(format, created.key().id()))).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.WRONG_SECRET));
        }
        assertThat(restarted.argon2Computations()).isZero();
        assertThat(restarted.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(restarted.verify(created.token())).as("and again, uncached").isInstanceOf(KeyVerification.Valid.class);
    }

    /** A key stored before fingerprints gets one the next time it verifies, and from then on cannot be locked out. */
    @Test
    void aKeyWithoutFingerprintGetsOneWhenItNextVerifies() {
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        ApiKeyService.CreatedKey created = withoutFingerprint(keys.create(request("ci", null)));
        assertThat(Argon2Hasher.fingerprint(store.find(created.key().id()).orElseThrow().hash())).isNull();
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(Argon2Hasher.fingerprint(store.find(created.key().id()).orElseThrow().hash())).isNotNull();
        ApiKeyService restarted = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).verifiedCache(Duration.ZERO, 10));
        KeyFormat format = new KeyFormat("pck_");
        for (int i = 0; i < 20; i++) {
            restarted.verify(forge(format, created.key().id()));
        }
        assertThat(restarted.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(restarted.argon2Computations()).isEqualTo(1);
    }

    /** The key's stored hash without its fingerprint, as stored before fingerprints existed. */
    private ApiKeyService.CreatedKey withoutFingerprint(ApiKeyService.CreatedKey created) {
        String hash = store.find(created.key().id()).orElseThrow().hash();
        store.replaceHash(created.key().id(), hash.contains("#") ? hash.substring(0, hash.indexOf('#')) : hash);
        return created;
    }

    /** A well-formed token for an existing id with a random secret, as an attacker who knows the id could make. */
    static String forge(KeyFormat format, String id) {
        KeyFormat.Token random = format.generate();
        String body = "pck_" + id + "_" + random.secret();
        return body + KeyFormat.checksum(body);
    }

    @Test
    void aVerifiedKeyIsNotLockedOutByAFloodOfWrongSecretsForItsId() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        KeyFormat format = new KeyFormat("pck_");
        for (int i = 0; i < 20; i++) {
            keys.verify(forge(format, created.key().id()));
        }
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
    }

    @Test
    void revocationTakesEffectAtOnceEvenForACachedKey() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(keys.revoke(created.key().id())).isTrue();
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
        ApiKeyService.CreatedKey second = keys.create(request("ci", null));
        keys.verify(second.token());
        assertThat(keys.revokeAll("ci")).isEqualTo(1);
        assertThat(keys.verify(second.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
    }

    @Test
    void expiryTakesEffectOnTheCachedPathToo() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", clock.instant().plus(Duration.ofHours(1))));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        clock.advance(Duration.ofMinutes(59));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        clock.advance(Duration.ofMinutes(1));
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
        assertThat(keys.verify(created.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.EXPIRED));
    }

    @Test
    void anExpiryInThePastIsRefused() {
        ApiKeyService keys = service();
        assertThatThrownBy(() -> keys.create(request("ci", clock.instant().minusSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expiration 2026-11-28T09:59:59Z is in the past; give a future time");
    }

    @Test
    void theMaximumLifetimeClampsOrRefuses() {
        ApiKeyService clamping = service(ApiKeyService.builder(store).hasher(FAST).clock(clock)
                .maxLifetime(Duration.ofDays(90), ApiKeyService.OverlongKeys.CLAMP_TO_MAXIMUM));
        assertThat(clamping.create(request("ci", null)).key().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(90)));
        Instant soon = clock.instant().plus(Duration.ofDays(7));
        assertThat(clamping.create(request("ci", soon)).key().expiresAt()).isEqualTo(soon);
        ApiKeyService refusing = service(ApiKeyService.builder(store).hasher(FAST).clock(clock)
                .maxLifetime(Duration.ofDays(90), ApiKeyService.OverlongKeys.REFUSE));
        assertThatThrownBy(() -> refusing.create(request("ci", null)))
                .hasMessage("a key without expiry exceeds the maximum key lifetime of PT2160H; expire it by 2027-02-26T10:00:00Z");
    }

    @Test
    void scopesNarrowWhatAKeyMayDo() {
        ApiKeyService keys = service();
        ApiKey scoped = keys.create(request("ci", null, Scope.parse("team/**:read,create"), Scope.parse("cache/*:delete"))).key();
        assertThat(scoped.permits("team/app", Action.CREATE)).isTrue();
        assertThat(scoped.permits("team/app", Action.UPDATE)).isFalse();
        assertThat(scoped.permits("other/app", Action.READ)).isFalse();
        assertThat(scoped.permits("cache/x", Action.DELETE)).isTrue();
        ApiKey unscoped = keys.create(request("ci", null)).key();
        assertThat(unscoped.permits("anything", Action.DELETE)).isTrue();
        assertThatThrownBy(() -> Scope.parse("team/**")).hasMessage("scope 'team/**' must be PATTERN:ACTIONS, e.g. 'team/**:read,create'");
    }

    @Test
    void aScopedKeyMayDoOnlyWhatBothItsOwnersPolicyAndItsScopesAllow() {
        dev.portcullis.policy.AccessPolicy policy = dev.portcullis.policy.AccessPolicy.parse("""
                repo "**" {
                  group artifact-workloads: read, create
                }
                """);
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null, Scope.parse("team/**:read,create,delete")));
        KeyVerification.Valid v = (KeyVerification.Valid) keys.verify(created.token());
        dev.portcullis.policy.Subject subject = dev.portcullis.policy.Subject.user(v.key().owner(), v.groups());
        java.util.function.BiPredicate<String, Action> allowed = (repo, action) ->
                policy.decide(subject, repo, action).allowed() && v.key().permits(repo, action);
        assertThat(allowed.test("team/app", Action.CREATE)).isTrue();
        assertThat(allowed.test("other/app", Action.CREATE)).as("outside the scopes").isFalse();
        assertThat(allowed.test("team/app", Action.DELETE)).as("in the scopes, but not the owner's policy").isFalse();
    }

    @Test
    void aKeyVerifiedUnderOldParametersIsRehashedWithTheNewOnes() {
        ApiKeyService old = service();
        ApiKeyService.CreatedKey created = old.create(request("ci", null));
        Argon2Hasher stronger = new Argon2Hasher(512, 2, 1);
        ApiKeyService upgraded = service(ApiKeyService.builder(store).hasher(stronger).clock(clock));
        assertThat(upgraded.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(store.find(created.key().id()).orElseThrow().hash()).startsWith("$argon2id$v=19$m=512,t=2,p=1$");
        ApiKeyService again = service(ApiKeyService.builder(store).hasher(stronger).clock(clock));
        assertThat(again.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        assertThat(again.argon2Computations()).as("no second re-hash").isEqualTo(1);
    }

    @Test
    void keysCarryTheGroupsOfTheOwnersLatestLogin() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(((KeyVerification.Valid) keys.verify(created.token())).groups()).containsExactly("artifact-workloads");
        keys.recordLogin("ci", List.of("admins"));
        assertThat(((KeyVerification.Valid) keys.verify(created.token())).groups()).containsExactly("admins");
    }

    @Test
    void lastUseIsWrittenInBatchesNotPerRequest() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        keys.verify(created.token());
        int writesBefore = store.lastUsedWrites.get();
        for (int i = 0; i < 50; i++) {
            keys.verify(created.token());
        }
        assertThat(store.lastUsedWrites.get()).isEqualTo(writesBefore);
        assertThat(keys.list("ci")).singleElement().extracting(ApiKey::lastUsed).isEqualTo(clock.instant());
        keys.flushLastUsed();
        assertThat(store.lastUsedWrites.get()).isEqualTo(writesBefore + 1);
        assertThat(store.find(created.key().id()).orElseThrow().key().lastUsed()).isEqualTo(clock.instant());

        for (int round = 1; round <= 2; round++) { // the cached path notes the first use after each flush, and no other
            clock.advance(Duration.ofMinutes(1));
            Instant firstUse = clock.instant();
            assertThat(keys.verifyCached(created.token())).isPresent();
            clock.advance(Duration.ofSeconds(1));
            assertThat(keys.verifyCached(created.token())).isPresent();
            keys.flushLastUsed();
            assertThat(store.lastUsedWrites.get()).isEqualTo(writesBefore + 1 + round);
            assertThat(store.find(created.key().id()).orElseThrow().key().lastUsed()).isEqualTo(firstUse);
        }
        keys.flushLastUsed();
        assertThat(store.lastUsedWrites.get()).as("nothing used since").isEqualTo(writesBefore + 3);
    }

    @Test
    void aStoreThatIsDownFailsClosed() {
        ApiKeyService keys = service();
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        store.down.set(true);
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Unavailable.class);
        assertThatThrownBy(() -> keys.create(request("ci", null))).isInstanceOf(ApiKeyStoreException.class);
        store.down.set(false);
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
    }

    @Test
    void cachedKeysStopBeingTrustedWhenTheEventFeedCannotBeRead() {
        ApiKeyService keys = service(ApiKeyService.builder(store).hasher(FAST).clock(clock).eventPollInterval(Duration.ofMillis(20)));
        ApiKeyService.CreatedKey created = keys.create(request("ci", null));
        assertThat(keys.verify(created.token())).isInstanceOf(KeyVerification.Valid.class);
        store.down.set(true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        KeyVerification v = keys.verify(created.token());
        while (v instanceof KeyVerification.Valid && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            v = keys.verify(created.token());
        }
        assertThat(v).isInstanceOf(KeyVerification.Unavailable.class);
    }

    @Test
    void concurrentCreateVerifyAndRevokeKeepEveryAnswerRight() throws Exception {
        ApiKeyService keys = service();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                int checks = 0;
                for (int i = 0; i < 20; i++) {
                    ApiKeyService.CreatedKey k = keys.create(request("user" + thread, null));
                    assertThat(keys.verify(k.token())).isInstanceOf(KeyVerification.Valid.class);
                    assertThat(keys.verify(k.token())).isInstanceOf(KeyVerification.Valid.class);
                    if (i % 2 == 0) {
                        keys.revoke(k.key().id());
                        assertThat(keys.verify(k.token())).isEqualTo(new KeyVerification.Rejected(KeyVerification.Reason.REVOKED));
                    }
                    checks += 3;
                }
                return checks;
            }));
        }
        int checks = 0;
        for (Future<Integer> f : futures) {
            checks += f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(checks).isEqualTo(8 * 20 * 3);
        for (int t = 0; t < 8; t++) {
            assertThat(keys.list("user" + t)).hasSize(20).filteredOn(ApiKey::revoked).hasSize(10);
        }
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException("fixed to UTC");
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A real store wrapped to count calls and to be taken down on demand. */
    static final class ControllableStore implements ApiKeyStore {
        final ApiKeyStore delegate;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger lastUsedWrites = new AtomicInteger();
        final AtomicBoolean down = new AtomicBoolean();
        /** When set, every find waits for it: a verification held in the store. */
        volatile CountDownLatch findGate;
        /** When set, every find reads the key, then waits for it: a verification that read the key before a change. */
        volatile CountDownLatch heldAfterRead;
        final AtomicInteger findsHeld = new AtomicInteger();
        /**
         * When set, the next read of the key events counts it down, then stays in the store until its thread is interrupted
         * and finishes after that, as a statement under way does; then {@link #pollFinished} is set.
         */
        volatile CountDownLatch pollHeld;
        volatile boolean pollFinished;

        ControllableStore(ApiKeyStore delegate) {
            this.delegate = delegate;
        }

        private void call() {
            calls.incrementAndGet();
            if (down.get()) {
                throw new ApiKeyStoreException("connection refused (test)", null);
            }
        }

        @Override
        public boolean insert(ApiKey key, String hash) {
            call();
            return delegate.insert(key, hash);
        }

        @Override
        public Optional<StoredApiKey> find(String id) {
            call();
            hold(findGate);
            Optional<StoredApiKey> found = delegate.find(id);
            hold(heldAfterRead);
            return found;
        }

        /** Waits for {@code gate}, if set, counting the find held. */
        private void hold(CountDownLatch gate) {
            if (gate == null) {
                return;
            }
            findsHeld.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiKeyStoreException("interrupted (test)", e);
            }
        }

        @Override
        public List<ApiKey> listByOwner(String owner) {
            call();
            return delegate.listByOwner(owner);
        }

        @Override
        public boolean revoke(String id) {
            call();
            return delegate.revoke(id);
        }

        @Override
        public int revokeAll(String owner) {
            call();
            return delegate.revokeAll(owner);
        }

        @Override
        public void replaceHash(String id, String hash) {
            call();
            delegate.replaceHash(id, hash);
        }

        @Override
        public void recordLastUsed(Map<String, Instant> lastUsed) {
            call();
            lastUsedWrites.incrementAndGet();
            delegate.recordLastUsed(lastUsed);
        }

        @Override
        public void recordUserGroups(String user, List<String> groups) {
            call();
            delegate.recordUserGroups(user, groups);
        }

        @Override
        public Optional<List<String>> userGroups(String user) {
            call();
            return delegate.userGroups(user);
        }

        @Override
        public KeyEvents eventsSince(long cursor) {
            call();
            CountDownLatch held = pollHeld;
            if (held == null || held.getCount() == 0) {
                return delegate.eventsSince(cursor);
            }
            held.countDown();
            while (!Thread.interrupted()) {
                LockSupport.park(this);
            }
            KeyEvents events = delegate.eventsSince(cursor);
            pollFinished = true;
            return events;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
