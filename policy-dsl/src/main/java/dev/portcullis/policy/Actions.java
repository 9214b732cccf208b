package dev.portcullis.policy;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** Small helpers for immutable action sets, kept in declaration order (read, create, update, delete). */
final class Actions {
    private Actions() {
    }

    static Set<Action> copy(Collection<Action> actions) {
        EnumSet<Action> set = EnumSet.noneOf(Action.class);
        set.addAll(actions);
        return java.util.Collections.unmodifiableSet(set);
    }

    static Set<Behaviour> copyBehaviours(Collection<Behaviour> behaviours) {
        EnumSet<Behaviour> set = EnumSet.noneOf(Behaviour.class);
        set.addAll(behaviours);
        return java.util.Collections.unmodifiableSet(set);
    }

    static int mask(Collection<Action> actions) {
        int m = 0;
        for (Action a : actions) {
            m |= a.bit();
        }
        return m;
    }

    static Set<Action> fromMask(int mask) {
        EnumSet<Action> set = EnumSet.noneOf(Action.class);
        for (Action a : Action.values()) {
            if ((mask & a.bit()) != 0) {
                set.add(a);
            }
        }
        return set;
    }

    /** "read, create", or "nothing". */
    static String describe(Collection<Action> actions) {
        return actions.isEmpty() ? "nothing" : actions.stream().sorted().map(Action::configName).collect(Collectors.joining(", "));
    }
}
