//! The messaging family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Count, Figure, Moment, Nodes, Of, Stat, Unit};
use crate::sim::spec::{Acks, FaultSpec};

/// "Kafka: a broker dies" compares its producer's acks=1 with acks=all.
fn acks_all() -> FaultSpec {
    FaultSpec { set: Some("api".into()), acks: Some(Acks::All), ..Default::default() }
}

pub const KAFKA_KEYS_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/kafka-keys.json"));
pub const KAFKA_BROKER_DIES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/kafka-broker-dies.json"));
pub const KAFKA_CONSUMER_DIES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/kafka-consumer-dies.json"));
pub const RABBITMQ_EXCHANGES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/rabbitmq-exchanges.json"));
pub const RABBITMQ_DEAD_LETTERS_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/rabbitmq-dead-letters.json"));
pub const POINT_TO_POINT_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/point-to-point-vs-pubsub.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "kafka-keys",
        title: "Kafka: keys, partitions and consumer groups",
        lesson: "murmur2(key) % partitions; two groups read independently; joins and leaves rebalance.",
        icon: "K",
        file_text: KAFKA_KEYS_JSON,
        speed: 1.0,
    },
    Preset {
        id: "kafka-broker-dies",
        title: "Kafka: a broker dies",
        lesson: "acks=1 loses what followers had not fetched; acks=all loses nothing and waits out the failover instead.",
        icon: "K!",
        file_text: KAFKA_BROKER_DIES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "kafka-consumer-dies",
        title: "Kafka: a consumer dies before committing",
        lesson: "At-least-once: uncommitted work is redone after the rebalance.",
        icon: "K?",
        file_text: KAFKA_CONSUMER_DIES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "rabbitmq-exchanges",
        title: "RabbitMQ: direct, fanout and topic exchanges",
        lesson: "Routing keys against bindings: * one word, # zero or more.",
        icon: "R",
        file_text: RABBITMQ_EXCHANGES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "rabbitmq-dead-letters",
        title: "RabbitMQ: retries and dead letters",
        lesson: "Nack and requeue, a delivery limit, TTL, and a dead-letter exchange.",
        icon: "R!",
        file_text: RABBITMQ_DEAD_LETTERS_JSON,
        speed: 1.0,
    },
    Preset {
        id: "point-to-point-vs-pubsub",
        title: "Point-to-point vs publish-subscribe",
        lesson: "Competing consumers share a queue; subscribers each get a copy.",
        icon: "P/S",
        file_text: POINT_TO_POINT_JSON,
        speed: 1.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "kafka-keys",
        compare_b: None,
        figures: &[
            Figure {
                name: "Records the billing group processed",
                of: Of::Sample {
                    nodes: Nodes::Ids(&["billing-1", "billing-2", "billing-3"]),
                    stat: Stat::Completed,
                    agg: Agg::Sum,
                },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::Count,
            },
            Figure {
                name: "Records the analytics group processed",
                of: Of::Sample {
                    nodes: Nodes::Ids(&["analytics-1", "analytics-2"]),
                    stat: Stat::Completed,
                    agg: Agg::Sum,
                },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "kafka-broker-dies",
        compare_b: Some(acks_all),
        figures: &[
            Figure {
                name: "Records lost",
                of: Of::Messaging(Count::Lost),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Records written twice",
                of: Of::Messaging(Count::Duplicates),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "kafka-consumer-dies",
        compare_b: None,
        figures: &[
            Figure {
                name: "Records processed again",
                of: Of::Messaging(Count::Duplicates),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Records sent to the dead-letter topic",
                of: Of::Messaging(Count::DeadLettered),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "rabbitmq-exchanges",
        compare_b: None,
        figures: &[Figure {
            name: "Messages no binding matched",
            of: Of::Messaging(Count::Discarded),
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Count,
        }],
    },
    Lesson {
        id: "rabbitmq-dead-letters",
        compare_b: None,
        figures: &[
            Figure {
                name: "Messages dead-lettered",
                of: Of::Messaging(Count::DeadLettered),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Messages past their TTL",
                of: Of::Messaging(Count::Expired),
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "point-to-point-vs-pubsub",
        compare_b: None,
        figures: &[
            Figure {
                name: "Deliveries to the three subscribers",
                of: Of::Sample {
                    nodes: Nodes::Ids(&["reader-a", "reader-b", "reader-c"]),
                    stat: Stat::Completed,
                    agg: Agg::PerS,
                },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::PerS,
            },
            Figure {
                name: "Deliveries to the three competing consumers",
                of: Of::Sample {
                    nodes: Nodes::Ids(&["worker-1", "worker-2", "worker-3"]),
                    stat: Stat::Completed,
                    agg: Agg::PerS,
                },
                at: Moment::Run,
                better: Better::Higher,
                unit: Unit::PerS,
            },
        ],
    },
];
