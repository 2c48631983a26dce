package io.cmkflow.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's documentation stands on its own: every relative link, and every reference to a Markdown file,
 * resolves to a file inside the repository, and every anchor names a heading of its target.
 *
 * <p>Checked: the Markdown links and images ({@code [text](path#anchor)}, {@code ![alt](path)}, reference
 * definitions, HTML {@code href}/{@code src}) and the plain mentions of Markdown files in every Markdown file of the
 * repository (README.md, docs/, workflows/, infra/, modules, src/), and the mentions of Markdown files in the
 * comments of source files under every {@code src} folder (the root's and each module's). A link resolves relative
 * to its file (a leading slash: to the repository root); a plain mention resolves relative to its file or to the
 * repository root. Anchors follow GitHub's heading slugs. Absolute links (http, https, mailto, ...) are not checked.
 * Folders named target or node_modules, and hidden folders, are skipped.
 */
class DocLinksTest {

    @Test
    void everyRelativeLinkAndMarkdownReferenceResolvesInsideTheRepository() {
        Path root = repositoryRoot(Path.of("").toAbsolutePath());

        List<String> failures = new DocLinks(root).check();

        assertThat(failures)
                .as("relative links and Markdown references that do not resolve (root %s)", root)
                .isEmpty();
    }

    @Test
    void theCheckReportsEachKindOfBrokenReferenceWithFileAndLine(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("workflows"));
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("stand-ins/src/main/java/x"));
        Files.writeString(root.resolve("docs/guide.md"), String.join("\n",
                "# Guide",
                "## Error classes",
                "```",
                "[not a link](missing-in-fence.md)",
                "```",
                "See [classes](#error-classes) and [the readme](../README.md#top).",
                "A [stale anchor](#evidence-poison-input).",
                ""));
        Files.writeString(root.resolve("README.md"), String.join("\n",
                "# Top",
                "[guide](docs/guide.md#error-classes), [web](https://example.com/none.md), ![img](docs/none.png)",
                "[outside](../elsewhere/notes.md) and `docs/guide.md` and [dir](docs/)",
                "Background is in old-notes.md.",
                ""));
        Files.writeString(root.resolve("stand-ins/src/main/java/x/A.java"), String.join("\n",
                "package x;",
                "/** See docs/guide.md, \"Error classes\", and docs/guide.md#error-classes. */",
                "class A {",
                "    String s = \"generated.md\"; // compare gone.md",
                "    /* docs/guide.md#no-such-heading */",
                "}",
                ""));

        List<String> failures = new DocLinks(root).check();

        assertThat(failures).containsExactlyInAnyOrder(
                "docs/guide.md:7: #evidence-poison-input: no heading with that anchor in docs/guide.md",
                "README.md:2: docs/none.png: no such file",
                "README.md:3: ../elsewhere/notes.md: outside the repository",
                "README.md:4: old-notes.md: no such file (relative to the file or to the repository root)",
                "stand-ins/src/main/java/x/A.java:4: gone.md: no such file (relative to the file or to the repository root)",
                "stand-ins/src/main/java/x/A.java:5: docs/guide.md#no-such-heading: no heading with that anchor in "
                        + "docs/guide.md");
    }

    @Test
    void theRootIsTheFirstFolderUpwardsWithReadmeAndWorkflows(@TempDir Path root) throws IOException {
        Path module = Files.createDirectories(root.resolve("dev/src"));
        Files.createDirectories(root.resolve("workflows"));
        Files.writeString(root.resolve("README.md"), "# x\n");
        Files.writeString(root.resolve("dev/README.md"), "# module\n");

        assertThat(repositoryRoot(module)).isEqualTo(root);
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(DocLinks.slug("Poison input and secrets in logs")).isEqualTo("poison-input-and-secrets-in-logs");
        assertThat(DocLinks.slug("CMK workspace workflow — operator guide"))
                .isEqualTo("cmk-workspace-workflow--operator-guide");
        assertThat(DocLinks.slug("Reliability: the fault matrix")).isEqualTo("reliability-the-fault-matrix");
        assertThat(DocLinks.slug("Request/response nodes: `$cbs` and `<entity>/$management`"))
                .isEqualTo("requestresponse-nodes-cbs-and-entitymanagement");
        assertThat(DocLinks.slug("Temporal facts the code relies on (Java SDK 1.38.0)"))
                .isEqualTo("temporal-facts-the-code-relies-on-java-sdk-1380");
        assertThat(DocLinks.slug("See [the guide](x.md) **now**")).isEqualTo("see-the-guide-now");
    }

    /** The first folder upwards from {@code start} that holds both README.md and workflows/. */
    static Path repositoryRoot(Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("workflows"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no folder holding README.md and workflows/ above " + start);
    }

    /** The check itself: walks the tree below {@code root} and lists what does not resolve. */
    static final class DocLinks {

        private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```|~~~)");
        private static final Pattern ATX_HEADING = Pattern.compile("^\\s{0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
        private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^\\s{0,3}(=+|-+)\\s*$");
        private static final Pattern HTML_ID = Pattern.compile("\\b(?:id|name)\\s*=\\s*\"([^\"]+)\"");
        private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1");
        /** {@code [text](target "title")} and {@code ![alt](target)}; the text may hold one level of brackets. */
        private static final Pattern INLINE_LINK = Pattern.compile(
                "!?\\[(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\]\\(\\s*(<[^>]*>|[^()\\s]*(?:\\([^()\\s]*\\)[^()\\s]*)*)"
                        + "(?:\\s+(?:\"[^\"]*\"|'[^']*'|\\([^)]*\\)))?\\s*\\)");
        private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*(<[^>]*>|\\S+)");
        private static final Pattern HTML_LINK = Pattern.compile("\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"");
        private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
        private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://\\S+");
        /** A plain mention of a Markdown file: a path ending in .md, optionally with an anchor. */
        private static final Pattern MARKDOWN_MENTION = Pattern.compile(
                "(?<![\\w.\\-/~@$%])((?:\\.{1,2}/)*(?:[\\w\\-]+(?:\\.[\\w\\-]+)*/)*[\\w\\-]+(?:\\.[\\w\\-]+)*\\.md)"
                        + "(#[\\w\\-]+)?(?![\\w\\-/]|\\.\\w)");

        private static final Set<String> SLASH_COMMENTS = Set.of("java", "kt", "kts", "groovy", "gradle", "scala",
                "js", "mjs", "cjs", "ts", "jsx", "tsx", "go", "c", "h", "cpp", "cs", "rs", "css", "proto");
        private static final Set<String> HASH_COMMENTS = Set.of("py", "sh", "bash", "properties", "yaml", "yml",
                "toml", "cfg", "ini", "tf", "rb", "conf");
        private static final Set<String> TAG_COMMENTS = Set.of("xml", "html", "htm", "svg");

        private final Path root;
        private final Map<Path, Set<String>> anchors = new HashMap<>();
        private final List<String> failures = new ArrayList<>();

        DocLinks(Path root) {
            this.root = root.toAbsolutePath().normalize();
        }

        List<String> check() {
            for (Path file : files()) {
                String name = file.getFileName().toString();
                if (name.toLowerCase(Locale.ROOT).endsWith(".md")) {
                    checkMarkdown(file);
                } else if (isUnderSrc(file)) {
                    checkSourceComments(file, extension(name));
                }
            }
            return failures;
        }

        private List<Path> files() {
            List<Path> files = new ArrayList<>();
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (dir.equals(root)) {
                            return FileVisitResult.CONTINUE;
                        }
                        String name = dir.getFileName().toString();
                        return name.equals("target") || name.equals("node_modules") || name.startsWith(".")
                                ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile()) {
                            files.add(file);
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.sort(null);
            return files;
        }

        private boolean isUnderSrc(Path file) {
            for (Path part : root.relativize(file)) {
                if (part.toString().equals("src")) {
                    return true;
                }
            }
            return false;
        }

        private static String extension(String name) {
            int dot = name.lastIndexOf('.');
            return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        }

        // ---- Markdown files

        private void checkMarkdown(Path file) {
            List<String> lines = readLines(file);
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (FENCE.matcher(line).find()) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                int lineNumber = i + 1;
                String withoutCode = CODE_SPAN.matcher(line).replaceAll("");
                List<String> targets = new ArrayList<>();
                Matcher inline = INLINE_LINK.matcher(withoutCode);
                while (inline.find()) {
                    targets.add(inline.group(1));
                }
                Matcher definition = REFERENCE_DEFINITION.matcher(withoutCode);
                if (definition.find()) {
                    targets.add(definition.group(1));
                }
                Matcher html = HTML_LINK.matcher(withoutCode);
                while (html.find()) {
                    targets.add(html.group(1));
                }
                for (String target : targets) {
                    checkLink(file, lineNumber, stripAngleBrackets(target));
                }
                // Plain mentions (code spans included): what is left once the links themselves are taken out.
                String prose = INLINE_LINK.matcher(line).replaceAll(" ");
                prose = REFERENCE_DEFINITION.matcher(prose).replaceAll(" ");
                checkMentions(file, lineNumber, prose);
            }
        }

        private static String stripAngleBrackets(String target) {
            return target.startsWith("<") && target.endsWith(">") ? target.substring(1, target.length() - 1) : target;
        }

        private void checkLink(Path file, int line, String target) {
            if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
                return;
            }
            int hash = target.indexOf('#');
            String pathPart = hash < 0 ? target : target.substring(0, hash);
            String anchor = hash < 0 ? null : decode(target.substring(hash + 1));
            int query = pathPart.indexOf('?');
            if (query >= 0) {
                pathPart = pathPart.substring(0, query);
            }
            Path resolved;
            if (pathPart.isEmpty()) {
                resolved = file;
            } else {
                String decoded = decode(pathPart);
                resolved = (decoded.startsWith("/") ? root.resolve(decoded.substring(1)) : file.getParent().resolve(decoded))
                        .normalize();
                if (!resolved.startsWith(root)) {
                    fail(file, line, target, "outside the repository");
                    return;
                }
                if (!Files.exists(resolved)) {
                    fail(file, line, target, "no such file");
                    return;
                }
            }
            checkAnchor(file, line, target, resolved, anchor);
        }

        private void checkAnchor(Path file, int line, String reference, Path target, String anchor) {
            if (anchor == null || anchor.isEmpty() || !Files.isRegularFile(target)
                    || !target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".md")) {
                return;
            }
            if (!anchorsOf(target).contains(anchor)) {
                fail(file, line, reference, "no heading with that anchor in " + display(target));
            }
        }

        private void checkMentions(Path file, int line, String text) {
            Matcher mention = MARKDOWN_MENTION.matcher(URL.matcher(text).replaceAll(" "));
            while (mention.find()) {
                String path = mention.group(1);
                String anchor = mention.group(2) == null ? null : mention.group(2).substring(1);
                String reference = mention.group();
                Path besideFile = file.getParent().resolve(path).normalize();
                Path fromRoot = root.resolve(path).normalize();
                Path resolved = besideFile.startsWith(root) && Files.exists(besideFile) ? besideFile
                        : fromRoot.startsWith(root) && Files.exists(fromRoot) ? fromRoot : null;
                if (resolved == null) {
                    fail(file, line, reference, "no such file (relative to the file or to the repository root)");
                } else {
                    checkAnchor(file, line, reference, resolved, anchor);
                }
            }
        }

        // ---- Source files: comments only

        private void checkSourceComments(Path file, String extension) {
            String text;
            if (SLASH_COMMENTS.contains(extension)) {
                text = slashComments(read(file), extension.equals("js") || extension.equals("mjs")
                        || extension.equals("cjs") || extension.equals("ts"));
            } else if (HASH_COMMENTS.contains(extension)) {
                text = hashComments(read(file));
            } else if (TAG_COMMENTS.contains(extension)) {
                text = tagComments(read(file));
            } else {
                return;
            }
            String[] lines = text.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) {
                    checkMentions(file, i + 1, lines[i]);
                }
            }
        }

        /** The text with everything but {@code //} and {@code /* *\/} comments blanked; line breaks are kept. */
        static String slashComments(String source, boolean templateStrings) {
            StringBuilder out = new StringBuilder(source.length());
            int i = 0;
            int n = source.length();
            while (i < n) {
                char c = source.charAt(i);
                if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                    int end = source.indexOf('\n', i);
                    end = end < 0 ? n : end;
                    out.append(source, i, end);
                    i = end;
                } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                    int end = source.indexOf("*/", i + 2);
                    end = end < 0 ? n : end + 2;
                    out.append(source, i, end);
                    i = end;
                } else if (source.startsWith("\"\"\"", i)) {
                    int end = source.indexOf("\"\"\"", i + 3);
                    end = end < 0 ? n : end + 3;
                    blank(out, source, i, end);
                    i = end;
                } else if (c == '"' || c == '\'' || (templateStrings && c == '`')) {
                    int j = i + 1;
                    while (j < n && source.charAt(j) != c && (c == '`' || source.charAt(j) != '\n')) {
                        j += source.charAt(j) == '\\' ? 2 : 1;
                    }
                    int end = Math.min(n, j + 1);
                    blank(out, source, i, end);
                    i = end;
                } else {
                    out.append(c == '\n' ? '\n' : ' ');
                    i++;
                }
            }
            return out.toString();
        }

        /** The text with everything but {@code #} comments blanked (a # at a line start or after a blank). */
        static String hashComments(String source) {
            StringBuilder out = new StringBuilder(source.length());
            for (String line : source.split("\n", -1)) {
                char quote = 0;
                int start = -1;
                for (int j = 0; j < line.length() && start < 0; j++) {
                    char c = line.charAt(j);
                    if (quote != 0) {
                        if (c == '\\') {
                            j++;
                        } else if (c == quote) {
                            quote = 0;
                        }
                    } else if (c == '"' || c == '\'') {
                        quote = c;
                    } else if (c == '#' && (j == 0 || Character.isWhitespace(line.charAt(j - 1)))) {
                        start = j;
                    }
                }
                out.append(start < 0 ? "" : line.substring(start)).append('\n');
            }
            return out.toString();
        }

        /** The text with everything but {@code <!-- -->} comments blanked; line breaks are kept. */
        static String tagComments(String source) {
            StringBuilder out = new StringBuilder(source.length());
            int i = 0;
            while (i < source.length()) {
                int start = source.indexOf("<!--", i);
                if (start < 0) {
                    blank(out, source, i, source.length());
                    break;
                }
                int end = source.indexOf("-->", start + 4);
                end = end < 0 ? source.length() : end + 3;
                blank(out, source, i, start);
                out.append(source, start, end);
                i = end;
            }
            return out.toString();
        }

        private static void blank(StringBuilder out, String source, int from, int to) {
            for (int k = from; k < to; k++) {
                out.append(source.charAt(k) == '\n' ? '\n' : ' ');
            }
        }

        // ---- Anchors

        private Set<String> anchorsOf(Path markdown) {
            return anchors.computeIfAbsent(markdown, file -> {
                Set<String> found = new HashSet<>();
                Map<String, Integer> seen = new HashMap<>();
                List<String> lines = readLines(file);
                boolean inFence = false;
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (FENCE.matcher(line).find()) {
                        inFence = !inFence;
                        continue;
                    }
                    if (inFence) {
                        continue;
                    }
                    String heading = null;
                    Matcher atx = ATX_HEADING.matcher(line);
                    if (atx.matches()) {
                        heading = atx.group(1);
                    } else if (i + 1 < lines.size() && SETEXT_UNDERLINE.matcher(lines.get(i + 1)).matches()
                            && isParagraphLine(line)) {
                        heading = line.trim();
                    }
                    if (heading != null) {
                        String slug = slug(heading);
                        int count = seen.merge(slug, 1, Integer::sum);
                        found.add(count == 1 ? slug : slug + "-" + (count - 1));
                    }
                    Matcher id = HTML_ID.matcher(line);
                    while (id.find()) {
                        found.add(id.group(1));
                    }
                }
                return found;
            });
        }

        private static boolean isParagraphLine(String line) {
            String trimmed = line.trim();
            return !trimmed.isEmpty() && !trimmed.startsWith("|") && !trimmed.startsWith("-")
                    && !trimmed.startsWith("*") && !trimmed.startsWith("#") && !trimmed.startsWith(">")
                    && !trimmed.matches("\\d+[.)]\\s.*");
        }

        /** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces turned into hyphens. */
        static String slug(String heading) {
            // Rendered text: a link shows its text, an HTML tag nothing, a code span its content as written.
            StringBuilder text = new StringBuilder();
            Matcher code = CODE_SPAN.matcher(heading);
            int from = 0;
            while (code.find()) {
                text.append(renderedOutsideCode(heading.substring(from, code.start()))).append(code.group(2));
                from = code.end();
            }
            text.append(renderedOutsideCode(heading.substring(from)));
            return text.toString().trim().toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} \\-]", "")
                    .replace(' ', '-');
        }

        private static String renderedOutsideCode(String markdown) {
            return markdown.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        }

        // ---- Helpers

        private void fail(Path file, int line, String reference, String why) {
            failures.add(display(file) + ":" + line + ": " + reference + ": " + why);
        }

        private String display(Path file) {
            return root.relativize(file).toString().replace('\\', '/');
        }

        private static String decode(String text) {
            try {
                return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notEncoded) {
                return text;
            }
        }

        private static String read(Path file) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                try {
                    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                } catch (IOException again) {
                    throw new UncheckedIOException(again);
                }
            }
        }

        private static List<String> readLines(Path file) {
            return List.of(read(file).split("\r?\n", -1));
        }
    }
}
