#!/usr/bin/env python3
"""Would Maven Central accept what the build produced? Run after `mvn package` (or verify) from the repository root.

For every module that is published (not maven.deploy.skip), from its effective POM: name, description, url, a license
with name and url, a developer, scm url and connection, the url and scm the parent's (one repository: a module's
artifactId appended makes an address that does not exist) — and, for a jar, the main jar, its -sources.jar and
-javadoc.jar in target/, and every file attached with a classifier (the CLIs' -cli jars). Central also requires signatures (.asc), which the release signs with its own key: not checked here.
Exit status 1 names every module and what it lacks.

Usage: scripts/central-check.py [--offline]
"""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def text(project, path):
    node = project.find(path, NS)
    return (node.text or "").strip() if node is not None else ""


def main():
    out = os.path.join("target", "effective-poms.xml")
    os.makedirs("target", exist_ok=True)
    cmd = ["mvn", "-B", "-q", "help:effective-pom", "-Doutput=" + out]
    if "--offline" in sys.argv:
        cmd.insert(2, "-o")
    subprocess.run(cmd, check=True)
    root = ET.parse(out).getroot()
    projects = [root] if root.tag == "{%s}project" % NS["m"] else root.findall("m:project", NS)
    problems, published = [], []
    parent = next((p for p in projects if text(p, "m:artifactId") == "portcullis-parent"), None)
    for project in projects:
        artifact = text(project, "m:artifactId")
        packaging = text(project, "m:packaging") or "jar"
        if text(project, "m:properties/m:maven.deploy.skip") == "true":
            continue
        published.append(artifact)
        lacks = [label for label, path in [
            ("name", "m:name"), ("description", "m:description"), ("url", "m:url"),
            ("license name", "m:licenses/m:license/m:name"), ("license url", "m:licenses/m:license/m:url"),
            ("developer", "m:developers/m:developer/m:name"),
            ("scm url", "m:scm/m:url"), ("scm connection", "m:scm/m:connection"),
        ] if not text(project, path)]
        if parent is not None and project is not parent:
            for label, path in [("url", "m:url"), ("scm url", "m:scm/m:url"), ("scm connection", "m:scm/m:connection")]:
                if text(project, path) and text(project, path) != text(parent, path):
                    lacks.append("the parent's %s (it has %s)" % (label, text(project, path)))
        for attached in project.findall(".//m:plugin/m:executions/m:execution/m:configuration/m:artifacts/m:artifact", NS):
            if not os.path.isfile(text(attached, "m:file")):
                lacks.append("%s, attached as classifier %s (run mvn package first)" % (text(attached, "m:file"), text(attached, "m:classifier")))
        if packaging == "jar":
            directory = text(project, "m:build/m:directory")
            base = "%s-%s" % (artifact, text(project, "m:version"))
            for suffix in ("", "-sources", "-javadoc"):
                if not os.path.isfile(os.path.join(directory, base + suffix + ".jar")):
                    lacks.append("target/%s%s.jar (run mvn package first)" % (base, suffix))
        if lacks:
            problems.append("%s lacks: %s" % (artifact, ", ".join(lacks)))
    for problem in problems:
        print("central-check: " + problem, file=sys.stderr)
    if problems:
        return 1
    print("central-check: %d published artifacts have what Maven Central requires (signatures aside): %s"
          % (len(published), " ".join(published)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
