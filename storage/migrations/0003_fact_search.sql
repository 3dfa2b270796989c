-- Full-text index over the facts, for answering plain questions (bot/answers).
--
-- One row per fact text (its language in `language`) and one row per fact holding its
-- keywords (`language` = ''), so a keyword hit counts once whatever the number of languages.
-- Same tokenizer as articles_fts: unicode61 without stemming (none exists for Kazakh); the
-- query side quotes every token and uses prefixes. Triggers keep the index in step with
-- facts and fact_texts whoever writes them.

CREATE VIRTUAL TABLE facts_fts USING fts5(
    text, keywords, fact_id UNINDEXED, language UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Bumped by every change to what the index or a fact's rendering depends on: the answer
-- service keeps the facts in memory and reloads them when this moves.
CREATE TABLE fact_index_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    version  INTEGER NOT NULL
);
INSERT INTO fact_index_state (id, version) VALUES (1, 0);

-- Every indexed term with the row it occurs in: the answer service reads it once to correct
-- typos and keyboard-layout spellings against the words the facts really use.
CREATE VIRTUAL TABLE facts_fts_terms USING fts5vocab(facts_fts, 'instance');

CREATE TRIGGER fact_texts_fts_ai AFTER INSERT ON fact_texts BEGIN
    INSERT INTO facts_fts (text, keywords, fact_id, language)
    VALUES (new.text, '', new.fact_id, new.language);
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER fact_texts_fts_au AFTER UPDATE ON fact_texts BEGIN
    DELETE FROM facts_fts WHERE fact_id = old.fact_id AND language = old.language;
    INSERT INTO facts_fts (text, keywords, fact_id, language)
    VALUES (new.text, '', new.fact_id, new.language);
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER fact_texts_fts_ad AFTER DELETE ON fact_texts BEGIN
    DELETE FROM facts_fts WHERE fact_id = old.fact_id AND language = old.language;
    UPDATE fact_index_state SET version = version + 1;
END;

CREATE TRIGGER facts_fts_ai AFTER INSERT ON facts BEGIN
    INSERT INTO facts_fts (text, keywords, fact_id, language)
    VALUES ('', new.keywords, new.id, '');
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER facts_fts_au AFTER UPDATE OF keywords ON facts BEGIN
    DELETE FROM facts_fts WHERE fact_id = old.id AND language = '';
    INSERT INTO facts_fts (text, keywords, fact_id, language)
    VALUES ('', new.keywords, new.id, '');
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER facts_fts_ad AFTER DELETE ON facts BEGIN
    DELETE FROM facts_fts WHERE fact_id = old.id;
    UPDATE fact_index_state SET version = version + 1;
END;

CREATE TRIGGER facts_state_au AFTER UPDATE OF retired, topic, position, article_id ON facts
BEGIN
    UPDATE fact_index_state SET version = version + 1;
END;
CREATE TRIGGER articles_fact_source_au AFTER UPDATE OF source, url, published_at ON articles
WHEN EXISTS (SELECT 1 FROM facts WHERE article_id = new.id)
BEGIN
    UPDATE fact_index_state SET version = version + 1;
END;

-- Facts stored before this migration.
INSERT INTO facts_fts (text, keywords, fact_id, language)
SELECT text, '', fact_id, language FROM fact_texts;
INSERT INTO facts_fts (text, keywords, fact_id, language)
SELECT '', keywords, id, '' FROM facts;
