package dev.talendlogs.es;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathModulesNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs one or more genuine Elasticsearch nodes inside this JVM, built from the official server jar and the
 * official transport-netty4 module jar (both from Maven Central), the way elasticsearch-cluster-runner does.
 *
 * <pre>
 * java -Xms1g -Xmx1g -cp target/classes:$(cat classpath.txt) dev.talendlogs.es.LocalElasticsearch \
 *      -basePath /tmp/es -numOfNode 1 -baseHttpPort 9249       # node 1 -> http://127.0.0.1:9250
 * </pre>
 *
 * Options: {@code -basePath DIR} (required), {@code -numOfNode N} (default 1), {@code -baseHttpPort P} (default 9200,
 * node i listens on P+i), {@code -baseTransportPort P} (default baseHttpPort+100, node i on P+i; a single node takes the
 * first free port of P+1..P+100),
 * {@code -clusterName NAME} (default talend-logs-es), {@code -E key=value} (any extra node setting, repeatable).
 *
 * <p>Prints {@code LocalElasticsearch ready ...} lines on stdout once every node has started; stops the nodes cleanly
 * on SIGTERM/SIGINT (shutdown hook).
 */
public final class LocalElasticsearch {

    private static final String READY_PREFIX = "LocalElasticsearch ready";

    private final List<Node> nodes = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        // Must happen before netty / log4j classes are initialised; the launcher normally passes them with -D as well.
        defaultSystemProperty("io.netty.noUnsafe", "true");
        defaultSystemProperty("io.netty.noKeySetOptimization", "true");
        defaultSystemProperty("io.netty.recycler.maxCapacityPerThread", "0");
        defaultSystemProperty("log4j.shutdownHookEnabled", "false");
        defaultSystemProperty("log4j2.disable.jmx", "true");
        defaultSystemProperty("log4j2.formatMsgNoLookups", "true");
        defaultSystemProperty("es.networkaddress.cache.ttl", "60");
        defaultSystemProperty("es.networkaddress.cache.negative.ttl", "10");

        // Elasticsearch redirects System.out/err into log4j once logging is configured; keep the real stdout.
        PrintStream out = System.out;
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("LocalElasticsearch: " + e.getMessage());
            System.err.println(
                "usage: LocalElasticsearch -basePath DIR [-numOfNode 1] [-baseHttpPort 9200] [-baseTransportPort P]"
                    + " [-clusterName NAME] [-E key=value ...]"
            );
            System.exit(2);
            return;
        }
        LocalElasticsearch runner = new LocalElasticsearch();
        try {
            runner.run(options, out);
        } catch (Throwable t) {
            out.println("LocalElasticsearch failed to start: " + t);
            t.printStackTrace(out);
            out.flush();
            runner.stopNodes();
            Runtime.getRuntime().halt(1);
        }
        // keep the JVM alive until the shutdown hook has closed the nodes
        try {
            runner.stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Options o, PrintStream out) throws Exception {
        LogConfigurator.registerErrorListener();

        Path base = o.basePath.toAbsolutePath().normalize();
        Files.createDirectories(base);
        provideNativeLibraries(base);
        List<String> nodeNames = new ArrayList<>();
        for (int i = 1; i <= o.numOfNode; i++) {
            nodeNames.add("node_" + i);
        }

        List<Environment> environments = new ArrayList<>();
        for (int i = 1; i <= o.numOfNode; i++) {
            String nodeName = nodeNames.get(i - 1);
            Path home = base.resolve(nodeName);
            Path config = home.resolve("config");
            Files.createDirectories(config);
            Files.createDirectories(home.resolve("data"));
            Files.createDirectories(home.resolve("logs"));
            Path log4j = config.resolve("log4j2.properties");
            if (Files.exists(log4j) == false) {
                try (InputStream in = LocalElasticsearch.class.getResourceAsStream("log4j2.properties")) {
                    Files.copy(in, log4j, StandardCopyOption.REPLACE_EXISTING);
                }
            }

            Settings.Builder b = Settings.builder()
                .put("cluster.name", o.clusterName)
                .put("node.name", nodeName)
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("path.repo", base.resolve("repo").toString())
                .put("network.host", "127.0.0.1")
                .put("http.host", "127.0.0.1")
                .put("transport.host", "127.0.0.1")
                .put("http.port", Integer.toString(o.baseHttpPort + i))
                // one node: any free port of a small range (nobody connects to it); several: fixed, they seed each other
                .put(
                    "transport.port",
                    o.numOfNode == 1
                        ? (o.baseTransportPort + i) + "-" + (o.baseTransportPort + i + 99)
                        : Integer.toString(o.baseTransportPort + i)
                )
                .put("http.type", Netty4Plugin.NETTY_HTTP_TRANSPORT_NAME)
                .put("transport.type", Netty4Plugin.NETTY_TRANSPORT_NAME)
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.destructive_requires_name", false)
                .put("node.portsfile", true);
            if (o.numOfNode == 1) {
                b.put("discovery.type", "single-node");
            } else {
                List<String> seeds = new ArrayList<>();
                for (int j = 1; j <= o.numOfNode; j++) {
                    seeds.add("127.0.0.1:" + (o.baseTransportPort + j));
                }
                b.putList("discovery.seed_hosts", seeds);
                b.putList("cluster.initial_master_nodes", nodeNames);
            }
            for (Map.Entry<String, String> e : o.extraSettings.entrySet()) {
                b.put(e.getKey(), e.getValue());
            }
            environments.add(InternalSettingsPreparer.prepareEnvironment(b.build(), Map.of(), config, () -> nodeName));
        }

        // Logging is process-wide: configure it once, from node 1's config directory.
        Environment first = environments.get(0);
        // %node_name in the log pattern is process-wide too; with several nodes the thread names tell them apart
        LogConfigurator.setNodeName(o.numOfNode == 1 ? nodeNames.get(0) : "node_1.." + o.numOfNode);
        LogConfigurator.configure(first, true);
        Logger logger = LogManager.getLogger(LocalElasticsearch.class);
        Thread.setDefaultUncaughtExceptionHandler((thread, t) -> {
            logger.error("uncaught exception in thread [" + thread.getName() + "]", t);
            if (t instanceof Error) {
                Runtime.getRuntime().halt(1);
            }
        });
        logger.info(
            "starting {} node(s) of Elasticsearch {} (Lucene {}) in {}",
            o.numOfNode,
            Build.current().qualifiedVersion(),
            org.apache.lucene.util.Version.LATEST,
            base
        );

        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "local-elasticsearch-shutdown"));

        Map<String, Class<? extends Plugin>> modules = new LinkedHashMap<>();
        modules.put("transport-netty4", Netty4Plugin.class); // the official module jar
        modules.put("local-rest-root", RootEndpointPlugin.class); // GET / banner; official rest-root is not on Maven Central

        for (Environment env : environments) {
            Node node = new ClasspathModulesNode(env, modules, env == first);
            synchronized (nodes) {
                nodes.add(node);
            }
        }
        if (nodes.size() == 1) {
            nodes.get(0).start();
        } else {
            // Node#start waits (discovery.initial_state_timeout) for a master: start the nodes side by side
            List<Thread> starters = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (Node node : nodes) {
                Thread t = new Thread(() -> {
                    try {
                        node.start();
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "local-elasticsearch-start-" + node.settings().get("node.name"));
                t.start();
                starters.add(t);
            }
            for (Thread t : starters) {
                t.join();
            }
            if (failures.isEmpty() == false) {
                Exception e = new Exception("failed to start " + failures.size() + " node(s)", failures.get(0));
                failures.stream().skip(1).forEach(e::addSuppressed);
                throw e;
            }
        }

        for (int i = 1; i <= o.numOfNode; i++) {
            String url = "http://127.0.0.1:" + (o.baseHttpPort + i);
            String line = READY_PREFIX + " " + nodeNames.get(i - 1) + " Elasticsearch " + Build.current().version() + " " + url;
            logger.info(line);
            Path marker = base.resolve(nodeNames.get(i - 1)).resolve("http.url");
            Files.writeString(marker, url + "\n", StandardCharsets.UTF_8);
            out.println(line);
        }
        out.flush();
    }

    private void shutdown() {
        Logger logger = LogManager.getLogger(LocalElasticsearch.class);
        logger.info("stopping Elasticsearch node(s)");
        try {
            stopNodes();
            logger.info("stopped");
        } finally {
            LoggerContext context = (LoggerContext) LogManager.getContext(false);
            Configurator.shutdown(context);
            stopped.countDown();
        }
    }

    private void stopNodes() {
        List<Node> toStop;
        synchronized (nodes) {
            toStop = new ArrayList<>(nodes);
            nodes.clear();
        }
        for (Node node : toStop) {
            try {
                node.prepareForClose();
            } catch (Exception e) {
                // ignored: best effort before close
            }
        }
        for (Node node : toStop) {
            try {
                node.close();
                if (node.awaitClose(20, TimeUnit.SECONDS) == false) {
                    System.err.println("LocalElasticsearch: node did not stop within 20s");
                }
            } catch (IOException e) {
                e.printStackTrace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where Linux distributions and Homebrew keep shared libraries. */
    private static final List<String> SYSTEM_LIBRARY_DIRS = List.of(
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/lib/x86_64-linux-gnu",
        "/lib/aarch64-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
        "/usr/local/lib",
        "/opt/homebrew/lib"
    );

    /**
     * A distribution ships zstd in {@code lib/platform/<os>-<arch>/}, and Elasticsearch 9 compresses stored fields of
     * {@code index.codec: best_compression} indices with it (without it every refresh of such an index fails). The
     * Maven artifacts have no such library, so point Elasticsearch ({@code es.nativelibs.path}) at a folder holding a
     * link to the system's libzstd, which has the same C API. Absent a system libzstd, Elasticsearch runs without
     * native access.
     */
    private static void provideNativeLibraries(Path base) throws IOException {
        if (System.getProperty("es.nativelibs.path") != null) {
            return;
        }
        String wanted = System.mapLibraryName("zstd"); // libzstd.so / libzstd.dylib
        for (String dir : SYSTEM_LIBRARY_DIRS) {
            Path lib = findLibrary(Path.of(dir), wanted);
            if (lib != null) {
                Path nativeDir = Files.createDirectories(base.resolve("native"));
                Path link = nativeDir.resolve(wanted);
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, lib.toRealPath());
                System.setProperty("es.nativelibs.path", nativeDir.toString());
                // Elastic's own SIMD library (dense vectors only) is not in that folder, and failing to load it
                // would disable native access altogether
                defaultSystemProperty("org.elasticsearch.nativeaccess.enableVectorLibrary", "false");
                return;
            }
        }
    }

    /** {@code dir/libzstd.so}, else a versioned {@code dir/libzstd.so.N...} (distributions ship only that one). */
    private static Path findLibrary(Path dir, String wanted) throws IOException {
        if (Files.isDirectory(dir) == false) {
            return null;
        }
        if (Files.exists(dir.resolve(wanted))) {
            return dir.resolve(wanted);
        }
        try (var entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(wanted + "."))
                .sorted()
                .findFirst()
                .orElse(null);
        }
    }

    private static void defaultSystemProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static final class Options {
        Path basePath;
        int numOfNode = 1;
        int baseHttpPort = 9200;
        Integer baseTransportPort;
        String clusterName = "talend-logs-es";
        final Map<String, String> extraSettings = new LinkedHashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("-E") && a.length() > 2) {
                    o.putSetting(a.substring(2));
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "-basePath" -> o.basePath = Path.of(v);
                    case "-numOfNode" -> o.numOfNode = Integer.parseInt(v);
                    case "-baseHttpPort" -> o.baseHttpPort = Integer.parseInt(v);
                    case "-baseTransportPort" -> o.baseTransportPort = Integer.parseInt(v);
                    case "-clusterName" -> o.clusterName = v;
                    case "-E" -> o.putSetting(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.basePath == null) {
                throw new IllegalArgumentException("-basePath is required");
            }
            if (o.numOfNode < 1) {
                throw new IllegalArgumentException("-numOfNode must be >= 1");
            }
            if (o.baseTransportPort == null) {
                o.baseTransportPort = o.baseHttpPort + 100;
            }
            return o;
        }

        private void putSetting(String kv) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected -E key=value, got " + kv);
            }
            extraSettings.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
    }
}
