// A back-office service in Java: it opens its durable store (a SQLite file; a PostgreSQL URL
// works the same), readies a variant's firmware, bulk-loads an estate in one call, then applies
// a queue of campaign commands (typed and JSON alike), logging each as accepted or refused. At
// the end it restarts from a snapshot and verifies the store's audit chain. Every refusal is an
// unchecked CommsHubOtaException, so the queue is a plain list of lambdas.
package commshub.ota.examples;

import commshub.ota.*;
import commshub.ota.model.*;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

public class BackOffice {
    private static final Instant T0 = Instant.parse("2026-09-01T09:00:00Z");
    private static final String VARIANT = "MERIDIAN-DB-NORTH";
    private static final String CAMPAIGN = "2026-Q4-N-2.0";
    private static final Actor DCC = Actor.dcc();
    private static final Actor CSP = Actor.csp(Region.NORTH);

    private static Instant day(long d) {
        return T0.plus(Duration.ofDays(d));
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("back-office-java");
        String store = dir.resolve("ota.db").toString();
        try {
            try (Engine engine = Engine.open(store)) {
                readyCatalogue(engine);
                loadEstate(engine, 5_000);
                applyQueue(engine);
                engine.snapshot();
            }
            // A restart: from the snapshot, nothing replayed; the chain verifies.
            try (Engine restarted = Engine.open(store)) {
                OpenReport report = restarted.openReport();
                Verified verified = restarted.verifyStore();
                System.out.printf("Restarted from the snapshot at event %d, %d replayed; %s%n",
                    report.getSnapshot(), report.getReplayed(),
                    verified instanceof Verified.Chained ? "audit chain verified" : "no audit chain");
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The variant and firmware 1.1 -> 1.2 -> 2.0, each version through every readiness gate. */
    private static void readyCatalogue(Engine engine) {
        engine.execute(DCC, T0, new Command.RegisterVariant(new RegisterVariant(
            new Variant(VARIANT, "Meridian", "CH-DB", "B2", HanBand.DUAL_BAND, Region.NORTH))));
        Map<String, List<String>> versions = new LinkedHashMap<>();
        versions.put("1.1", List.of());
        versions.put("1.2", List.of("1.1"));
        versions.put("2.0", List.of("1.2"));
        versions.forEach((version, from) -> {
            engine.execute(CSP, T0, new Command.RegisterFirmware(new RegisterFirmware(VARIANT, version, from)));
            for (Gate gate : Gate.values()) {
                Actor actor = gate == Gate.CSP_APPROVED ? CSP : DCC;
                // No hubs yet to test on: the DCC closes customer testing with its reason.
                String note = gate == Gate.CUSTOMER_TESTED ? "closed on the DCC's reference rigs" : null;
                engine.execute(actor, T0, new Command.RecordGate(new RecordGate(VARIANT, version, gate, note)));
            }
        });
    }

    /** `hubs` hubs over 15 suppliers, every eighth a split supply, in one call. */
    private static void loadEstate(Engine engine, int hubs) {
        List<HubInput> rows = new ArrayList<>(hubs);
        for (int i = 0; i < hubs; i++) {
            String supplier = String.format("SUPPLIER-%02d", i % 15 + 1);
            String gas = i % 8 == 0 ? String.format("SUPPLIER-%02d", (i + 3) % 15 + 1) : supplier;
            rows.add(new HubInput(String.format("%016X", (0x0024B8L << 40) | i), VARIANT, i % 3 == 0 ? "1.1" : "1.2",
                SmiStatus.COMMISSIONED, "2024-03-01", "2024-03-02",
                new HanDevices(new HanDevice("EM-A1", "3.1"), new HanDevice("GM-K1", "5.0")), supplier, gas));
        }
        long started = System.nanoTime();
        engine.loadEstate(DCC, day(1), rows);
        System.out.printf("Loaded %d hubs in one call (%d ms)%n", engine.hubCount(), (System.nanoTime() - started) / 1_000_000);
    }

    private static void applyQueue(Engine engine) {
        Map<String, Supplier<List<Recorded>>> queue = new LinkedHashMap<>();
        queue.put("create campaign", () -> engine.execute(DCC, day(2),
            new Command.CreateCampaign(new CreateCampaign(CAMPAIGN, VARIANT, "2.0", day(45)))));
        queue.put("supplier grants OA", () -> engine.execute(Actor.customer("SUPPLIER-02"), day(3),
            new Command.GrantPilotOa(new GrantPilotOa(CAMPAIGN))));
        queue.put("pilot OA (JSON)", () -> engine.executeJson(DCC, day(3),
            "{\"type\":\"grant_pilot_oa\",\"campaign\":\"" + CAMPAIGN + "\"}"));
        queue.put("pilot OA a second time", () -> engine.execute(DCC, day(4),
            new Command.GrantPilotOa(new GrantPilotOa(CAMPAIGN))));
        queue.put("SUPPLIER-02 whole estate", () -> engine.execute(Actor.customer("SUPPLIER-02"), day(5),
            new Command.ApproveWholeEstate(new ApproveWholeEstate(CAMPAIGN))));
        queue.put("malformed message", () -> engine.executeJson(DCC, day(6), "{\"type\":\"grant_pilot_oa\"}"));
        queue.put("mass rollout OA", () -> engine.execute(DCC, day(30),
            new Command.GrantMassRolloutOa(new GrantMassRolloutOa(CAMPAIGN))));
        queue.forEach((what, command) -> {
            try {
                List<Recorded> events = command.get();
                System.out.printf("accepted  %-26s -> %s%n", what,
                    events.stream().map(Recorded::getEventType).collect(Collectors.joining(", ")));
            } catch (CommsHubOtaException e) {
                System.out.printf("refused   %-26s -> %s: %s%n", what, e.getKind(), e.getMessage());
            }
        });
        CampaignView view = ((Answer.Campaign) engine.query(Actor.customer("SUPPLIER-07"), new Query.Campaign(CAMPAIGN))).getV1();
        System.out.printf("SUPPLIER-07 sees %s in %s%n", view.getId(), view.getPhase());
        FeedPage feed = engine.feed(Actor.customer("SUPPLIER-02"));
        System.out.printf("SUPPLIER-02's feed: %d notice(s), next cursor %d%n", feed.getNotifications().size(), feed.getCursor());
    }
}
