mod db;
