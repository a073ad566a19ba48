package bench

import "testing"

func TestDefaultScenarioParses(t *testing.T) {
	s := DefaultScenario()
	if s.Name != "default" || s.Routes4 == 0 || s.Events == 0 {
		t.Errorf("default scenario = %+v", s)
	}
}

func TestParseScenarioRejectsUnknownFields(t *testing.T) {
	if _, err := ParseScenario([]byte(`{"routez": 5}`)); err == nil {
		t.Error("accepted a misspelt size")
	}
	if _, err := ParseScenario([]byte(`{"routes4": -1}`)); err == nil {
		t.Error("accepted a negative size")
	}
}
