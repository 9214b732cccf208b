package dev.portcullis.servlet.readme;

import java.util.Set;

/** The examples' storage, reduced to what Portcullis asks it: whether a tag exists ({@code repository:tag}). */
public record Storage(Set<String> tags) {
    public boolean tagExists(String repository, String tag) {
        return tags.contains(repository + ":" + tag);
    }
}
