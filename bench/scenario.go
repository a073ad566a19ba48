package bench

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
)

// Scenario says what a benchmark namespace holds and how much work each
// workload does in it. Sizes are counts of objects.
type Scenario struct {
	Name string `json:"name"`
	// Routes4 and Routes6 are host routes in the main table, via the
	// scenario's veth device: the table the route dump walks.
	Routes4 int `json:"routes4"`
	Routes6 int `json:"routes6"`
	// Links are ifb devices, on top of lo and the veth pair.
	Links int `json:"links"`
	// Neighbours are permanent entries on the veth device.
	Neighbours int `json:"neighbours"`
	// Conntrack entries are created with ctnetlink requests in the
	// namespace; no packet is ever sent.
	Conntrack int `json:"conntrack"`
	// Install is how many routes each bulk install round adds.
	Install int `json:"install"`
	// Events is how many route adds the batched installer makes while an
	// event-stream client listens.
	Events int `json:"events"`
	// RoundTrips is how many RTM_GETLINK requests a latency round makes.
	RoundTrips int `json:"roundTrips"`
}

//go:embed scenario_default.json
var defaultScenarioJSON []byte

// DefaultScenario is the embedded scenario nlbench runs without flags: about
// a minute on a 2-core machine with every client.
func DefaultScenario() Scenario {
	s, err := ParseScenario(defaultScenarioJSON)
	if err != nil {
		panic("bench: embedded default scenario: " + err.Error())
	}
	return s
}

// TinyScenario is small enough for a smoke test: every workload runs, in
// seconds for all clients together.
func TinyScenario() Scenario {
	return Scenario{Name: "tiny", Routes4: 500, Routes6: 100, Links: 20, Neighbours: 20,
		Conntrack: 200, Install: 300, Events: 2000, RoundTrips: 200}
}

// SmallScenario is the go test -bench default: large enough that kernel
// work dominates fixed costs, small enough to iterate on.
func SmallScenario() Scenario {
	return Scenario{Name: "small", Routes4: 10000, Routes6: 2000, Links: 200, Neighbours: 200,
		Conntrack: 2000, Install: 2000, Events: 10000, RoundTrips: 1000}
}

// LoadScenario returns a named scenario (tiny, small, default) or reads a
// JSON file.
func LoadScenario(nameOrFile string) (Scenario, error) {
	switch nameOrFile {
	case "tiny":
		return TinyScenario(), nil
	case "small":
		return SmallScenario(), nil
	case "default", "":
		return DefaultScenario(), nil
	}
	b, err := os.ReadFile(nameOrFile)
	if err != nil {
		return Scenario{}, err
	}
	return ParseScenario(b)
}

// ParseScenario decodes a scenario from JSON, rejecting unknown fields so a
// typo does not silently leave a size at zero.
func ParseScenario(b []byte) (Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Scenario{}, fmt.Errorf("parsing scenario: %w", err)
	}
	return s, s.Validate()
}

// Validate rejects sizes the address plans cannot hold.
func (s Scenario) Validate() error {
	for _, f := range []struct {
		name string
		v    int
		max  int
	}{
		{"routes4", s.Routes4, maxScenarioRoutes},
		{"routes6", s.Routes6, maxScenarioRoutes},
		{"links", s.Links, 1 << 16},
		{"neighbours", s.Neighbours, maxNeighbours},
		{"conntrack", s.Conntrack, 1 << 24},
		{"install", s.Install, maxInstallRoutes},
		{"events", s.Events, maxInstallRoutes},
		{"roundTrips", s.RoundTrips, 1 << 30},
	} {
		if f.v < 0 || f.v > f.max {
			return fmt.Errorf("scenario %s: %d out of range [0, %d]", f.name, f.v, f.max)
		}
	}
	return nil
}
