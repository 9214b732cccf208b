package dev.portcullis.policy;

/** What is asked of a policy: an action on a repository, reading metrics, or seeing a repository in the catalog. */
enum Question { REPOSITORY, METRICS, CATALOG }
