-- The editors' phrasings (/questions: "link to a fact") answer questions like facts do: the
-- answer service keeps them in memory with the facts, so a change moves the index version too.
CREATE TRIGGER question_phrasings_ai AFTER INSERT ON question_phrasings BEGIN
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER question_phrasings_au AFTER UPDATE ON question_phrasings BEGIN
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER question_phrasings_ad AFTER DELETE ON question_phrasings BEGIN
    UPDATE fact_index_state SET version = version + 1;
END;
