package dev.portcullis.bench;

import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.policy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Policies shaped like a large registry's: per team exact repositories, {@code team/*},
 * {@code team/**}, classes, {@code {a,b}} alternatives and {@code ?}, under one {@code **} rule.
 */
final class RealisticPolicies {
    private static final int PER_TEAM = 10;

    private RealisticPolicies() {
    }

    static AccessPolicy generate(int patterns) {
        List<String> list = new ArrayList<>();
        for (int t = 0; list.size() < patterns - 1; t++) {
            String team = "team-" + t;
            for (String p : List.of(team + "/app-0", team + "/app-1", team + "/app-2", team + "/*", team + "/**",
                    team + "/[a-m]*", "{" + team + ",team-" + (t + 1) + "}/ci/**", team + "/app-?", team + "/**/cache",
                    team + "/svc-{a,b}")) {
                if (list.size() < patterns - 1) {
                    list.add(p);
                }
            }
        }
        AccessPolicy.Builder b = AccessPolicy.builder()
                .repository("**", r -> r.anonymousPolicy(Action.READ).allowGroups(List.of("artifact-workloads"), Action.READ))
                .admin(List.of(), List.of("admins"), Action.values());
        for (int i = 0; i < list.size(); i++) {
            String team = list.get(i).replaceAll("^\\{?(team-\\d+).*", "$1");
            boolean ciMayPush = i % 3 != 0;
            b.repository(list.get(i), r -> {
                r.allowGroups(List.of(team + "-devs"), Action.READ, Action.CREATE, Action.UPDATE);
                if (ciMayPush) {
                    r.allowGroups(List.of("artifact-workloads"), Action.READ, Action.CREATE);
                }
            });
        }
        return b.build();
    }

    /** Query names: mostly inside existing teams (exact, nested, cache paths), some outside any team. */
    static String[] names(int patterns, int count, Random random) {
        int teams = Math.max(1, patterns / PER_TEAM);
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            String team = "team-" + random.nextInt(teams);
            names[i] = switch (random.nextInt(10)) {
                case 0, 1, 2 -> team + "/app-" + random.nextInt(5);
                case 3, 4 -> team + "/" + (char) ('a' + random.nextInt(26)) + "service";
                case 5 -> team + "/ci/build-" + random.nextInt(100);
                case 6 -> team + "/x/y/cache";
                case 7 -> team + "/svc-" + (random.nextBoolean() ? "a" : "c");
                case 8 -> team + "/deep/nested/path/" + random.nextInt(1000);
                default -> "elsewhere-" + random.nextInt(100) + "/lib";
            };
        }
        return names;
    }
}
