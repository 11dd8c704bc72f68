package commshub.ota.examples;

import commshub.ota.*;
import commshub.ota.model.*;
import java.time.Instant;

public class Readme {
    public static void main(String[] args) {
        try (Engine engine = Engine.inMemory()) {                       // AutoCloseable, thread-safe
            Instant at = Instant.parse("2026-01-05T09:00:00Z");
            Variant variant = new Variant("CH-N-DB", "Acme", "CH2", "B", HanBand.DUAL_BAND, Region.NORTH);
            engine.execute(Actor.dcc(), at, new Command.RegisterVariant(new RegisterVariant(variant)));
            try {
                engine.execute(Actor.customer("SUPPLIER-01"), at, new Command.GrantPilotOa(new GrantPilotOa("C1")));
            } catch (CommsHubOtaException.NotPermitted e) {             // unchecked, one subclass per kind
                System.out.println(e.getActor() + " may not " + e.getAction());
            }
            Answer.Variants variants = (Answer.Variants) engine.query(Actor.dcc(), Query.Variants.INSTANCE);
            System.out.println(variants.getV1().stream().map(Variant::getId).toList());  // [CH-N-DB]
        }
    }
}
