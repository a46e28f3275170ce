// A real Neo4j 5.26 Community server for kg's tests and benchmark: the embedded
// database with its Bolt connector on 127.0.0.1, authentication on.
//
//   java -cp '<jars>/*' tests/neo4j/Server.java HOME PORT PASSWORD [setting=value ...]
//
// HOME is the server's folder (data, logs; reused as it is, so a restart sees
// the same database), PORT 0 takes a free port. Once Bolt accepts logins it
// prints one line on stdout,
//
//   kg-neo4j ready bolt://127.0.0.1:PORT
//
// and runs until SIGTERM (or SIGINT), when it shuts the database down cleanly
// and prints "kg-neo4j stopped". Settings given as setting=value are Neo4j's
// own (e.g. server.memory.pagecache.size=512m). No build step: Java runs this
// single source file directly (JEP 330).

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public class Server {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java -cp 'jars/*' Server.java HOME PORT PASSWORD [setting=value ...]");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args[2];
        // A small server on a shared 2-core machine by default; setting=value arguments
        // override (they go through a neo4j.conf in HOME, as the server would read them).
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("server.memory.pagecache.size", "256m");
        for (int i = 3; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv.length != 2) {
                System.err.println("not setting=value: " + args[i]);
                System.exit(2);
            }
            settings.put(kv[0], kv[1]);
        }
        Path conf = home.resolve("conf").resolve("neo4j.conf");
        Files.createDirectories(conf.getParent());
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(conf, text.toString());

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(conf)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // Tests try wrong passwords on purpose: no lock-out after failed logins.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                .build();

        CountDownLatch stop = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            dbms.shutdown();
            System.out.println("kg-neo4j stopped");
            System.out.flush();
            stop.countDown();
        });
        Runtime.getRuntime().addShutdownHook(shutdown);

        try {
            // The known test password, set on every start (CHANGE NOT REQUIRED: no
            // first-login password change). Embedded transactions bypass auth.
            dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));

            GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
            HostnamePort bolt = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                    .getLocalAddress(ConnectorType.BOLT);
            System.out.println("kg-neo4j ready bolt://" + bolt.getHost() + ":" + bolt.getPort());
            System.out.flush();
        } catch (Throwable t) {
            // Neo4j's threads would keep the JVM alive: exit, which runs the shutdown hook.
            System.err.println("kg-neo4j failed: " + t);
            t.printStackTrace();
            System.exit(1);
        }
        stop.await();
    }
}
